package modtools.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import modtools.contract.ImageHeader;
import modtools.elf.ElfFile;
import modtools.elf.RelocationSection;
import modtools.elf.Relocation;
import modtools.elf.module.Export;
import modtools.elf.module.Import;
import modtools.elf.module.KernelModule;
import modtools.elf.module.ModuleFile;
import modtools.elf.module.ZstdReading;
import modtools.link.x86_64.X86_64;
import modtools.testkit.Corpus;
import org.junit.jupiter.api.Test;

/**
 * Every module of Debian's cloud kernel links at a kernel-module address against a map that
 * gives each import an address where the kernel would have it: other modules' exports in the
 * module range, everything else in the kernel's text. No unsupported type, no overflow.
 */
class CorpusRelocationTest {
    private static final long MODULE_BASE = 0xffffffffc0000000L;
    private static final long EXPORTS = 0xffffffffe0000000L;
    private static final long KERNEL_TEXT = 0xffffffff81000000L;

    @Test
    void everyCloudModuleRelocates() throws Exception {
        List<String> modules = Corpus.modules(Corpus.cloud(), ".ko");
        assertTrue(modules.size() > 1000, "the cloud tree has over a thousand modules: " + modules.size());
        List<ElfFile> objects = new ArrayList<>();
        SymbolMap.Builder exports = new SymbolMap.Builder();
        int exported = 0;
        for (String m : modules) {
            ElfFile elf = ModuleFile.open(Path.of(m), ZstdReading.STREAM);
            objects.add(elf);
            String name = ModuleFile.moduleNameOf(m).orElseThrow();
            for (Export e : KernelModule.of(elf).exports()) {
                if (exports.define(new Definition(e.symbol(), EXPORTS + 16L * exported, true, new Provider.Module(name)))) {
                    exported++;
                }
            }
        }
        SymbolMap moduleExports = exports.build();
        SymbolMap.Builder all = new SymbolMap.Builder().addAll(moduleExports);
        int kernelSymbols = 0;
        for (ElfFile elf : objects) {
            for (Import i : KernelModule.of(elf).imports()) {
                if (moduleExports.find(i.symbol()) == null
                        && all.define(new Definition(i.symbol(), KERNEL_TEXT + 16L * kernelSymbols, true,
                        new Provider.Host("vmlinux")))) {
                    kernelSymbols++;
                }
            }
        }
        SymbolMap map = all.build();
        Map<String, Integer> typesSeen = new TreeMap<>();
        long relocations = 0;
        long base = MODULE_BASE;
        for (ElfFile elf : objects) {
            LinkedImage linked = Linker.link(elf, base, map);
            ByteBuffer image = linked.bytes();
            assertTrue(ImageHeader.hasMagic(image), elf.file());
            assertEquals(linked.layout().header().imageSize(), image.remaining(), elf.file());
            for (RelocationSection rs : elf.relocationSections()) {
                for (Relocation r : elf.relocations(rs)) {
                    typesSeen.merge(X86_64.INSTANCE.typeName(r.type()), 1, Integer::sum);
                    relocations++;
                }
            }
            // Successive modules further up the module range, as a kernel would load them.
            base = MODULE_BASE + ((base - MODULE_BASE + linked.layout().header().imageSize()) & 0x0fffffffL);
        }
        System.out.println("linked " + objects.size() + " modules, " + relocations + " relocations against "
                + moduleExports.size() + " module exports and " + kernelSymbols + " kernel symbols; types seen: "
                + typesSeen);
    }
}

package modtools.load.modfs;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.contract.ModuleName;
import modtools.elf.module.ZstdReading;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.ElfHeader;
import modtools.elf.module.Import;
import modtools.elf.module.KernelModule;
import modtools.elf.module.ModInfoEntry;
import modtools.elf.module.ModuleFile;
import modtools.elf.module.ModuleLoadException;
import modtools.link.LinkException;
import modtools.link.ObjectMerger;

/**
 * What the object (or the objects, linked as one) says about the module before anything is
 * made: its name ({@code .modinfo}'s {@code name=}, else the first file's base name), license,
 * imports, the names it exports and the parameters {@code .modinfo} declares.
 *
 * @param sources    the files, absolute, in command-line order
 * @param parmtypes  {@code parmtype=NAME:TYPE} of {@code .modinfo}, in order
 */
record ModuleObject(ElfFile elf, String name, String license, List<Import> imports, List<String> exports,
                    List<String> sources, Map<String, String> parmtypes) {

    /**
     * Reads and checks the objects ({@code ENOEXEC} for anything but relocatable x86-64 ELF, or
     * a vermagic other than {@code RELEASE mod_unload} unless forced); several are merged into
     * one object first, each one's {@code init_module} and {@code cleanup_module} its own.
     */
    static ModuleObject read(List<Path> files, String release, boolean forceVermagic, ZstdReading zstdReading)
            throws Failed {
        String fallback = baseName(files.get(0));
        List<ElfFile> elves = new ArrayList<>();
        for (Path file : files) {
            elves.add(open(file, baseName(file), zstdReading));
        }
        ElfFile elf;
        try {
            elf = elves.size() == 1 ? elves.get(0) : ObjectMerger.merge(elves);
        } catch (LinkException e) {
            throw new Failed(LinuxErrno.ENOEXEC, fallback + ": " + e.getMessage());
        } catch (ElfFormatException e) {
            throw new Failed(LinuxErrno.ENOEXEC, fallback + ": " + e.getMessage());
        }
        try {
            KernelModule km = KernelModule.of(elf);
            String name = AliasNormalizer.normalizeModname(km.name().orElse(fallback));
            Optional<String> badName = ModuleName.problem(name.getBytes(StandardCharsets.UTF_8));
            if (badName.isPresent()) {
                throw new Failed(LinuxErrno.EINVAL, "'" + name + "': " + badName.get());
            }
            Optional<String> vermagic = km.vermagic();
            String expected = release + " mod_unload";
            if (!forceVermagic && vermagic.isPresent() && !vermagic.get().equals(expected)) {
                throw new Failed(LinuxErrno.ENOEXEC,
                        name + ": version magic '" + vermagic.get() + "' should be '" + expected + "'");
            }
            KernelModule.Linkage linkage = km.linkage();
            List<String> exports = new ArrayList<>();
            linkage.exports().forEach(e -> exports.add(e.symbol()));
            Map<String, String> parmtypes = new LinkedHashMap<>();
            for (ModInfoEntry e : km.modinfo(List.of("parmtype"))) {
                int colon = e.value().indexOf(':');
                if (colon > 0) {
                    parmtypes.putIfAbsent(e.value().substring(0, colon), e.value().substring(colon + 1));
                }
            }
            List<String> sources = files.stream().map(f -> f.toAbsolutePath().toString()).toList();
            return new ModuleObject(elf, name, km.modinfo("license").orElse(""), linkage.imports(),
                    List.copyOf(exports), sources, parmtypes);
        } catch (ElfFormatException e) {
            throw new Failed(LinuxErrno.ENOEXEC, fallback + ": " + e.getMessage());
        }
    }

    private static ElfFile open(Path file, String name, ZstdReading zstdReading) throws Failed {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new Failed(LinuxErrno.EISDIR); // kmod's read of it fails so, and says no more
        }
        try {
            ElfFile elf = ModuleFile.open(file, zstdReading);
            ElfHeader h = elf.header();
            if (h.type() != Elf.ET_REL || h.machine() != Elf.EM_X86_64 || !h.is64()
                    || h.order() != ByteOrder.LITTLE_ENDIAN) {
                throw new Failed(LinuxErrno.ENOEXEC, name + ": not a relocatable x86-64 object");
            }
            return elf;
        } catch (ModuleLoadException e) {
            if (e.decoderError().isPresent()) {
                throw new Failed(e.decoderError().get());
            }
            throw new Failed(LinuxErrno.ENOEXEC, name + ": " + e.getMessage());
        } catch (IOException e) {
            throw new Failed(LinuxErrno.of(e), name + ": " + e.getMessage());
        } catch (ElfFormatException e) {
            throw new Failed(LinuxErrno.ENOEXEC, name + ": " + e.getMessage());
        }
    }

    /** The module name a file gives: its base name up to the first dot, '-' as '_'. */
    static String baseName(Path file) {
        return AliasNormalizer.modnameOfPath(file.toString()).orElse(file.getFileName().toString());
    }
}

package modtools.cli.modinfo;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.cli.Errno;
import modtools.deps.BuiltinModinfo;
import modtools.deps.LibkmodMessage;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.module.DigestNames;
import modtools.elf.module.KernelModule;
import modtools.elf.module.ModInfoEntry;
import modtools.elf.module.ModuleFile;
import modtools.elf.module.ModuleImage;
import modtools.elf.module.ModuleLoadException;
import modtools.elf.module.ModuleSignature;
import modtools.elf.module.ZstdReading;

/**
 * What kmod_module_get_info() lists for a module: the .modinfo strings, then the signature
 * fields; for a built-in module, its strings from modules.builtin.modinfo.
 */
final class ModuleReader {
    private final Path directory;
    private final DigestNames digestNames;
    private final ZstdReading zstdReading;

    /**
     * {@code digestNames}: how the level's kmod names a PKCS#7 signature's digest; {@code zstdReading}:
     * how it decodes a zstd module.
     */
    ModuleReader(Path directory, DigestNames digestNames, ZstdReading zstdReading) {
        this.directory = directory;
        this.digestNames = digestNames;
        this.zstdReading = zstdReading;
    }

    /** The entries, or an empty list for a built-in module of a kernel without modules.builtin.modinfo. */
    List<ModInfoEntry> entries(Target target) throws InfoUnavailable {
        if (target instanceof Target.File f) {
            return fileEntries(f);
        }
        return builtinEntries((Target.Builtin) target);
    }

    private List<ModInfoEntry> fileEntries(Target.File target) throws InfoUnavailable {
        // Closed at once rather than left to a collection: a resident server reads module after
        // module, and a decoded image lives in native memory the collector does not see.
        try (ModuleImage image = ModuleFile.readImage(Path.of(target.path()), zstdReading)) {
            ElfFile elf = image.elf();
            if (elf.section(".modinfo").isEmpty()) {
                throw new InfoUnavailable(Errno.ENOENT, target.path() + ": no .modinfo section");
            }
            List<ModInfoEntry> entries = new ArrayList<>(KernelModule.of(elf).modinfo());
            Optional<ModuleSignature> signature = ModuleSignature.read(elf.bytes(), digestNames);
            if (signature.isPresent()) { // not ifPresent: a lambda costs startup time
                addSignature(entries, signature.get());
            }
            return entries;
        } catch (ElfFormatException e) {
            throw new InfoUnavailable(Errno.of(e), e.getMessage());
        } catch (ModuleLoadException e) {
            throw new InfoUnavailable(Errno.of(e), target.path() + ": " + e.getMessage(),
                    e.decoderError().flatMap(LibkmodMessage::of).orElse(null));
        } catch (IOException e) {
            throw new InfoUnavailable(Errno.of(e), target.path() + ": " + e.getMessage());
        }
    }

    private static void addSignature(List<ModInfoEntry> entries, ModuleSignature s) {
        entries.add(new ModInfoEntry("sig_id", s.idType()));
        entries.add(new ModInfoEntry("signer", s.signer()));
        entries.add(new ModInfoEntry("sig_key", ModuleSignature.formatHex(s.keyId())));
        entries.add(new ModInfoEntry("sig_hashalgo", s.hashAlgorithm()));
        entries.add(new ModInfoEntry("signature", ModuleSignature.formatHex(s.signature())));
    }

    private List<ModInfoEntry> builtinEntries(Target.Builtin target) throws InfoUnavailable {
        Path file = directory.resolve("modules.builtin.modinfo");
        try {
            return BuiltinModinfo.read(file, target.name()).orElseThrow(
                    () -> new InfoUnavailable(Errno.ENOSYS, file + ": no entries for " + target.name()));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new InfoUnavailable(Errno.of(e), file + ": " + e.getMessage());
        }
    }
}

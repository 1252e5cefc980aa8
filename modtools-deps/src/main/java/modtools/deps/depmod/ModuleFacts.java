package modtools.deps.depmod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.ElfFormatException;
import modtools.elf.module.DecoderError;
import modtools.elf.module.Export;
import modtools.elf.module.Import;
import modtools.elf.module.KernelModule;
import modtools.elf.module.LinkageScratch;
import modtools.elf.module.ModInfoEntry;
import modtools.elf.module.ModuleFile;
import modtools.elf.module.ModuleImage;
import modtools.elf.module.ModuleLoadException;
import modtools.elf.module.ReadBuffer;
import modtools.elf.module.ZstdReading;

/**
 * What depmod reads from one module file: its exports, its imports and the .modinfo entries
 * its outputs use; or, for a file it cannot read, kmod's reason ({@code failure}) and, for a
 * compressed one its decoder rejected, the decoder's complaint ({@code decoderError}), reported later
 * in module order so that parallel reading does not shuffle the messages.
 */
record ModuleFacts(List<Export> exports, List<Import> imports, List<ModInfoEntry> info, String failure,
                   DecoderError decoderError) {
    /** Only alias, softdep and weakdep lines reach depmod's files; the rest need not be decoded. */
    private static final List<String> USED_KEYS = List.of("alias", "softdep", "weakdep");

    /**
     * Reads the facts of the module at {@code path} (a byte string), a plain one into
     * {@code buffer}, its symbols through {@code scratch}. Everything kept is copied out of the
     * module's bytes, which are given up before this returns.
     */
    static ModuleFacts read(String path, ZstdReading zstdReading, ReadBuffer buffer, LinkageScratch scratch) {
        try (ModuleImage image = ModuleFile.image(ByteStrings.path(path), zstdReading, buffer)) {
            KernelModule km = KernelModule.of(image.elf());
            KernelModule.Linkage linkage = km.linkage(scratch);
            return new ModuleFacts(linkage.exports(), linkage.imports(), km.modinfo(USED_KEYS), null, null);
        } catch (ElfFormatException e) {
            return failed(e.isNotElf() ? "Exec format error" : "Invalid argument");
        } catch (ModuleLoadException e) {
            return new ModuleFacts(List.of(), List.of(), List.of(), LinuxErrno.strerror(LinuxErrno.of(e)),
                    e.decoderError().orElse(null));
        } catch (IOException e) {
            return failed(LinuxErrno.strerror(LinuxErrno.of(e)));
        } catch (UncheckedIOException e) {
            return failed(LinuxErrno.strerror(LinuxErrno.of(e.getCause())));
        }
    }

    private static ModuleFacts failed(String reason) {
        return new ModuleFacts(List.of(), List.of(), List.of(), reason, null);
    }
}

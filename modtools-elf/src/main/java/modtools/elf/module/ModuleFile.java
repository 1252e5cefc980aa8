package modtools.elf.module;

import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import org.tukaani.xz.XZInputStream;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Opening module files the way kmod's kmod_file_open does: the first bytes pick the
 * decompressor, plain objects are mapped read-only and compressed ones are decompressed onto
 * the heap.
 */
public final class ModuleFile {
    /** Decompressed modules larger than this are refused rather than exhausting memory. */
    public static final int MAX_DECOMPRESSED_SIZE = 1 << 30;
    /** Where the first output buffer stops guessing; larger modules grow it by doubling. */
    private static final int MAX_INITIAL_BUFFER = 1 << 26;
    /** kmod truncates module names to PATH_MAX - 1 bytes. */
    private static final int MAX_NAME_LENGTH = 4095;

    private ModuleFile() {
    }

    /** The module as an ELF object named by {@code path} as given. */
    public static ElfFile open(Path path) throws IOException, ElfFormatException {
        return ElfFile.parse(path.toString(), contents(path));
    }

    /**
     * The module's bytes, decompressed when the file starts with a known magic.
     *
     * @throws ModuleLoadException where kmod fails with EINVAL: files shorter than
     *                             {@link Compression#MAGIC_PROBE_SIZE}, damaged compressed data
     */
    public static ByteBuffer contents(Path path) throws IOException {
        String name = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < Compression.MAGIC_PROBE_SIZE) {
                throw new ModuleLoadException(name, "file of " + size + " bytes is too short for a module");
            }
            if (size > Integer.MAX_VALUE) {
                throw new ModuleLoadException(name, "file of " + size + " bytes is too large for a module");
            }
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            Compression compression = Compression.of(mapped);
            return compression == Compression.NONE ? mapped : decompress(compression, mapped, name);
        }
    }

    private static ByteBuffer decompress(Compression compression, ByteBuffer compressed, String name)
            throws ModuleLoadException {
        // Modules compress to about a third; starting near the result avoids most regrowth.
        int guess = (int) Math.min(MAX_INITIAL_BUFFER, Math.max(1 << 16, compressed.remaining() * 4L));
        BoundedOutput out = new BoundedOutput(name, guess, MAX_DECOMPRESSED_SIZE);
        String format = compression.name().toLowerCase(Locale.ROOT);
        try {
            switch (compression) {
                case ZSTD -> ZstdFrames.decode(compressed, out);
                case XZ -> out.readFrom(new XZInputStream(new BufferInputStream(compressed),
                        MAX_DECOMPRESSED_SIZE / 1024));
                case GZIP -> out.readFrom(new GZIPInputStream(new BufferInputStream(compressed), 1 << 16));
                default -> throw new IllegalArgumentException(compression + " is not compressed");
            }
        } catch (ModuleLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The decoders read from memory, so every failure is the data's; aircompressor in
            // particular reports bad input with unchecked exceptions.
            throw new ModuleLoadException(name, format + ": " + describe(e));
        }
        return out.toBuffer();
    }

    private static String describe(Exception e) {
        if (e instanceof EOFException) {
            return "unexpected end of input";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.lines().findFirst().get();
    }

    /**
     * Whether kmod takes {@code name} for a module file: it ends in one of the module
     * extensions and has something before it.
     */
    public static boolean hasModuleExtension(String name) {
        for (Compression c : Compression.values()) {
            if (name.length() > c.extension().length() && name.endsWith(c.extension())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The module name kmod derives from a path: the last component up to its first '.', with
     * '-' turned into '_'. Empty when the path ends in '/' (kmod gives up on those).
     */
    public static Optional<String> moduleNameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        if (base.isEmpty()) {
            return Optional.empty();
        }
        int dot = base.indexOf('.');
        String stem = dot < 0 ? base : base.substring(0, dot);
        if (stem.length() > MAX_NAME_LENGTH) {
            stem = stem.substring(0, MAX_NAME_LENGTH);
        }
        return Optional.of(stem.replace('-', '_'));
    }
}

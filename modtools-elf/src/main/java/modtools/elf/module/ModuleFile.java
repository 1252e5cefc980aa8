package modtools.elf.module;

import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.jna.FileMapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Opening module files the way kmod's kmod_file_open does: the first bytes pick the
 * decompressor, plain objects are mapped read-only and compressed ones are decompressed
 * ({@link Decompression}: by liblzma or libzstd into native memory, or by a Java decoder).
 */
public final class ModuleFile {
    /** Decompressed modules larger than this are refused rather than exhausting memory. */
    public static final int MAX_DECOMPRESSED_SIZE = 1 << 30;
    /** kmod truncates module names to PATH_MAX - 1 bytes. */
    private static final int MAX_NAME_LENGTH = 4095;

    private ModuleFile() {
    }

    /** The module as an ELF object named by {@code path} as given. */
    public static ElfFile open(Path path, ZstdReading zstdReading) throws IOException, ElfFormatException {
        return ElfFile.parse(path.toString(), contents(path, zstdReading));
    }

    /**
     * The module's bytes, decompressed when the file starts with a known magic; a plain file's
     * mapping and a decoder's output stay until the garbage collector finds them unused.
     *
     * @throws ModuleLoadException where kmod fails with EINVAL: files shorter than
     *                             {@link Compression#MAGIC_PROBE_SIZE}, damaged compressed data
     */
    public static ByteBuffer contents(Path path, ZstdReading zstdReading) throws IOException {
        return read(path, zstdReading, DecodedMemory.COLLECTED).bytes();
    }

    /**
     * The module's bytes as {@link #contents} gives them, held until the image is closed
     * rather than until a garbage collection: for readers of many modules. A plain file is read
     * into {@code buffer} only as far as its reader looks at it (the reader owns the buffer and
     * reuses it for its next module); a compressed file's mapping is gone before this returns,
     * only its decompressed image stays.
     */
    public static ModuleImage image(Path path, ZstdReading zstdReading, ReadBuffer buffer) throws IOException {
        String name = path.toString();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            checkSize(name, size);
            PartialFile partial = new PartialFile(name, channel, buffer.forFile(size));
            try {
                partial.load(0, Compression.MAGIC_PROBE_SIZE);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            Compression compression = Compression.of(partial.buffer());
            if (compression == Compression.NONE) {
                return ModuleImage.partial(name, partial);
            }
            return decoded(path, name, compression, channel, zstdReading);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A compressed module decoded into memory of its image's own; the channel is closed when this returns. */
    private static ModuleImage decoded(Path path, String name, Compression compression, FileChannel channel,
                                       ZstdReading zstdReading) throws IOException {
        DecodedMemory memory = DecodedMemory.owned();
        try (channel; FileMapping mapping = FileMapping.of(path, new FileMapping.SizeCheck() {
            @Override
            public void check(long size) throws ModuleLoadException {
                checkSize(name, size);
            }
        })) {
            CompressedFile file = new CompressedFile(name, mapping.buffer(), channel);
            return ModuleImage.decoded(name, Decompression.decode(compression, file, MAX_DECOMPRESSED_SIZE, zstdReading,
                    memory), memory);
        } catch (IOException | RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /**
     * The module's bytes for a reader of one or a few modules (modinfo, modprobe, link), as
     * {@link #contents} reads them, but a decompressed image is freed when the image is closed.
     * A resident server runs such readers call after call, and decoded images left to the
     * collector piled up in native memory it does not see.
     */
    public static ModuleImage readImage(Path path, ZstdReading zstdReading) throws IOException {
        return read(path, zstdReading, DecodedMemory.owned());
    }

    /**
     * kmod_file_open for the readers of one module: a plain file mapped by FileChannel (no native
     * library to start), a compressed one decoded into {@code memory}, which a failed read frees.
     */
    private static ModuleImage read(Path path, ZstdReading zstdReading, DecodedMemory memory) throws IOException {
        String name = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            checkSize(name, size);
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            Compression compression = Compression.of(mapped);
            if (compression == Compression.NONE) {
                return ModuleImage.mapped(name, mapped, null);
            }
            CompressedFile file = new CompressedFile(name, mapped, channel);
            return ModuleImage.decoded(name, Decompression.decode(compression, file, MAX_DECOMPRESSED_SIZE,
                    DecoderChoice.configured(), zstdReading, memory), memory);
        } catch (IOException | RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    private static void checkSize(String name, long size) throws ModuleLoadException {
        if (size < Compression.MAGIC_PROBE_SIZE) {
            throw new ModuleLoadException(name, "file of " + size + " bytes is too short for a module");
        }
        if (size > Integer.MAX_VALUE) {
            throw new ModuleLoadException(name, "file of " + size + " bytes is too large for a module");
        }
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

package modtools.elf.module;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Decompresses a module file's bytes with the decoder {@link DecoderChoice} picks for its
 * format, and turns a decoder's rejection into the one line naming the file. Safe to call from
 * several threads at once.
 */
final class Decompression {
    /** Where the first output buffer stops guessing; larger modules grow it by doubling. */
    private static final int MAX_INITIAL_GUESS = 1 << 26;
    /**
     * A declared size is believed up to this many times the compressed size (modules compress
     * to a third or a seventh), so a damaged header cannot make us allocate a gigabyte.
     */
    private static final int MAX_BELIEVED_RATIO = 64;

    private Decompression() {}

    static ByteBuffer decode(Compression compression, CompressedFile file, int limit) throws IOException {
        return decode(compression, file, limit, DecoderChoice.configured());
    }

    static ByteBuffer decode(Compression compression, CompressedFile file, int limit, DecoderChoice choice)
            throws IOException {
        boolean useNative = choice == DecoderChoice.NATIVE;
        ByteBuffer mapped = file.mapped();
        try {
            return switch (compression) {
                case XZ -> useNative && Liblzma.AVAILABLE
                        ? NativeXz.decode(file, limit) : JavaDecoders.xz(mapped, file.name(), limit);
                case ZSTD -> useNative && Libzstd.AVAILABLE
                        ? NativeZstd.decode(file, limit) : JavaDecoders.zstd(mapped, file.name(), limit);
                case GZIP -> JavaDecoders.gzip(mapped, file.name(), limit);
                case NONE -> throw new IllegalArgumentException("a plain module needs no decoder");
            };
        } catch (DecodeFailure e) {
            throw new ModuleLoadException(file.name(),
                    compression.name().toLowerCase(Locale.ROOT) + ": " + e.getMessage());
        }
    }

    /**
     * The first output buffer: the declared size and one spare byte (so that a decoder never
     * stops at a full buffer before it has read the stream's end), else a guess near the result.
     */
    static long outputSize(long declared, int compressedSize) {
        if (declared >= 0 && declared <= (long) compressedSize * MAX_BELIEVED_RATIO + (1 << 20)) {
            return declared + 1;
        }
        return Math.min(MAX_INITIAL_GUESS, Math.max(1 << 16, compressedSize * 4L));
    }
}

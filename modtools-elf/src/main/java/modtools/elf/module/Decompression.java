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
    /**
     * From this compressed size on, AUTO takes the C libraries even before JNA is started:
     * measured with modinfo on Debian 13's modules, JNA's start (about 45 ms of CPU) and the
     * libraries' speed (3.5 times the Java xz decoder's, twice aircompressor's) break even near
     * 400 KiB of either format.
     */
    private static final int NATIVE_FROM = 384 * 1024;

    /** Set once a library decoded something: JNA is started, AUTO takes the libraries from then on. */
    private static volatile boolean nativeStarted;

    private Decompression() {}

    static ByteBuffer decode(Compression compression, CompressedFile file, int limit, DecoderChoice choice)
            throws IOException {
        return decode(compression, file, limit, choice, UnsizedZstd.STREAM, DecodedMemory.COLLECTED);
    }

    /**
     * The configured decoder for a caller that has started JNA already (AUTO then means the
     * libraries), a C decoder's output in {@code memory}.
     */
    static ByteBuffer decode(Compression compression, CompressedFile file, int limit, UnsizedZstd unsized,
            DecodedMemory memory) throws IOException {
        DecoderChoice choice = DecoderChoice.configured();
        return decode(compression, file, limit, choice == DecoderChoice.AUTO ? DecoderChoice.NATIVE : choice, unsized,
                memory);
    }

    /**
     * The file decoded by {@code choice}'s decoder, a C decoder's output in {@code memory}. A zstd
     * file without a content size is refused here, before either decoder, when {@code unsized}
     * says so: both decoders then fail it with the same line.
     */
    static ByteBuffer decode(Compression compression, CompressedFile file, int limit, DecoderChoice choice,
            UnsizedZstd unsized, DecodedMemory memory) throws IOException {
        try {
            if (compression == Compression.ZSTD && unsized == UnsizedZstd.REFUSE
                    && !ZstdFrames.declaresContentSize(file.mapped())) {
                throw ZstdProblem.UNKNOWN_SIZE.failure();
            }
            if (compression == Compression.GZIP) {
                return JavaDecoders.gzip(file.mapped(), file.name(), limit);
            }
            boolean preferNative = choice == DecoderChoice.NATIVE
                    || choice == DecoderChoice.AUTO && (file.size() >= NATIVE_FROM || nativeStarted);
            if (preferNative && libraryFor(compression)) {
                return decodeNative(compression, file, limit, memory);
            }
            try {
                return compression == Compression.XZ ? JavaDecoders.xz(file.mapped(), file.name(), limit)
                        : JavaDecoders.zstd(file.mapped(), file.name(), limit);
            } catch (DecodeFailure e) {
                if (choice == DecoderChoice.AUTO && libraryFor(compression)) {
                    return decodeNative(compression, file, limit, memory);
                }
                throw e;
            }
        } catch (DecodeFailure e) {
            throw new ModuleLoadException(new DecoderError(file.name(), compression,
                    compression.name().toLowerCase(Locale.ROOT) + ": " + e.getMessage()));
        }
    }

    /** Whether the library for {@code compression} (xz or zstd) loads; loading it starts JNA. */
    private static boolean libraryFor(Compression compression) {
        return compression == Compression.XZ ? Liblzma.AVAILABLE : Libzstd.AVAILABLE;
    }

    private static ByteBuffer decodeNative(Compression compression, CompressedFile file, int limit,
            DecodedMemory memory) throws IOException {
        nativeStarted = true;
        return compression == Compression.XZ ? NativeXz.decode(file, limit, memory)
                : NativeZstd.decode(file, limit, memory);
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

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
        return decode(compression, file, limit, choice, ZstdReading.STREAM, DecodedMemory.COLLECTED);
    }

    /**
     * The configured decoder for a caller that has started JNA already (AUTO then means the
     * libraries), a C decoder's output in {@code memory}.
     */
    static ByteBuffer decode(Compression compression, CompressedFile file, int limit, ZstdReading zstdReading,
            DecodedMemory memory) throws IOException {
        DecoderChoice choice = DecoderChoice.configured();
        return decode(compression, file, limit, choice == DecoderChoice.AUTO ? DecoderChoice.NATIVE : choice, zstdReading,
                memory);
    }

    /**
     * The file decoded by {@code choice}'s decoder, a C decoder's output in {@code memory}. A zstd
     * file read in one call, as {@code zstdReading} may say, without a content size is refused
     * here, before either decoder: both decoders then fail it with the same line.
     */
    static ByteBuffer decode(Compression compression, CompressedFile file, int limit, DecoderChoice choice,
            ZstdReading zstdReading, DecodedMemory memory) throws IOException {
        try {
            if (compression == Compression.GZIP) {
                return JavaDecoders.gzip(file.mapped(), file.name(), limit);
            }
            Decoding decoding = compression == Compression.ZSTD && zstdReading == ZstdReading.ONE_SHOT
                    ? oneShotZstd(file, limit) : new Decoding(compression, limit, false);
            boolean preferNative = choice == DecoderChoice.NATIVE
                    || choice == DecoderChoice.AUTO && (file.size() >= NATIVE_FROM || nativeStarted);
            if (preferNative && libraryFor(compression)) {
                return decodeNative(decoding, file, memory);
            }
            try {
                return decodeJava(decoding, file);
            } catch (DecodeFailure e) {
                if (choice == DecoderChoice.AUTO && libraryFor(compression)) {
                    return decodeNative(decoding, file, memory);
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

    /**
     * How a file is decoded: its format, the most it may decode to, and whether it is zstd
     * decoded in one call into a buffer of exactly {@code limit} bytes.
     */
    private record Decoding(Compression compression, int limit, boolean whole) {}

    /**
     * kmod 34.2's reading of a zstd file: the first frame header's content size, or the
     * refusal kmod words itself, is the buffer the whole file is decoded into.
     */
    private static Decoding oneShotZstd(CompressedFile file, int limit) throws IOException {
        long size = ZstdFrames.usableContentSize(file.mapped());
        if (size == 0) {
            throw ZstdProblem.UNKNOWN_SIZE.failure();
        }
        if (Long.compareUnsigned(size, limit) > 0) {
            throw ModuleLoadException.tooLarge(file.name(), limit);
        }
        return new Decoding(Compression.ZSTD, (int) size, true);
    }

    private static ByteBuffer decodeJava(Decoding decoding, CompressedFile file) throws IOException {
        if (decoding.compression() == Compression.XZ) {
            return JavaDecoders.xz(file.mapped(), file.name(), decoding.limit());
        }
        return decoding.whole() ? JavaDecoders.zstdWhole(file.mapped(), decoding.limit())
                : JavaDecoders.zstd(file.mapped(), file.name(), decoding.limit());
    }

    private static ByteBuffer decodeNative(Decoding decoding, CompressedFile file, DecodedMemory memory)
            throws IOException {
        nativeStarted = true;
        if (decoding.compression() == Compression.XZ) {
            return NativeXz.decode(file, decoding.limit(), memory);
        }
        return decoding.whole() ? NativeZstd.decodeWhole(file, decoding.limit(), memory)
                : NativeZstd.decode(file, decoding.limit(), memory);
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

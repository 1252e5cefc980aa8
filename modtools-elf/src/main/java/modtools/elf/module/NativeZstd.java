package modtools.elf.module;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * zstd through libzstd as kmod calls it. Streamed, as kmod 30 does, fed the file in chunks as
 * kmod feeds it: so frames follow frames, skippable frames are skipped, the window limit is
 * libzstd's default, and a file that simply stops yields what libzstd decoded up to the cut,
 * exactly as for kmod. The output is sized from the first frame's content size (a later frame
 * grows it). Or in one call, as kmod 34.2 does. Each call has its own state, so threads decode
 * at once.
 */
final class NativeZstd {
    private NativeZstd() {}

    static ByteBuffer decode(CompressedFile file, int limit, DecodedMemory memory) throws IOException {
        long declared = Libzstd.ZSTD_getFrameContentSize(file.mapped(), file.size());
        if (declared == Libzstd.CONTENTSIZE_UNKNOWN || declared == Libzstd.CONTENTSIZE_ERROR) {
            declared = -1;
        }
        DirectOutput out = new DirectOutput(file.name(), Decompression.outputSize(declared, file.size()), limit,
                memory);
        Pointer stream = Libzstd.ZSTD_createDStream();
        if (stream == null) {
            throw ZstdProblem.MEMORY.failure();
        }
        try (Memory buffers = new Memory(2L * Libzstd.BUFFER_SIZE); FileChunks chunks = file.chunks()) {
            checkStreamed(Libzstd.ZSTD_initDStream(stream));
            Pointer input = buffers.share(0, Libzstd.BUFFER_SIZE);
            Pointer output = buffers.share(Libzstd.BUFFER_SIZE, Libzstd.BUFFER_SIZE);
            input.clear(Libzstd.BUFFER_SIZE);
            output.setPointer(Libzstd.BUFFER_POINTER, out.at(0));
            output.setLong(Libzstd.BUFFER_LENGTH, out.capacity());
            output.setLong(Libzstd.BUFFER_POS, 0);
            return run(stream, chunks, input, output, out);
        } finally {
            Libzstd.ZSTD_freeDStream(stream);
        }
    }

    /**
     * The whole mapped file in one ZSTD_decompress into exactly {@code capacity} bytes (the
     * first frame's content size, which the caller has checked against its limit): kmod 34.2's
     * call, so every way it fails is libzstd's own.
     */
    static ByteBuffer decodeWhole(CompressedFile file, int capacity, DecodedMemory memory) throws IOException {
        DirectOutput out = new DirectOutput(file.name(), capacity, capacity, memory);
        long produced = check(Libzstd.ZSTD_decompress(out.at(0), capacity, file.mapped(), file.size()));
        return out.result((int) produced);
    }

    private static ByteBuffer run(Pointer stream, FileChunks in, Pointer input, Pointer output, DirectOutput out)
            throws IOException {
        while (true) {
            if (input.getLong(Libzstd.BUFFER_POS) == input.getLong(Libzstd.BUFFER_LENGTH) && !in.finished()) {
                input.setLong(Libzstd.BUFFER_LENGTH, in.next());
                input.setPointer(Libzstd.BUFFER_POINTER, in.address());
                input.setLong(Libzstd.BUFFER_POS, 0);
            }
            long hint = checkStreamed(Libzstd.ZSTD_decompressStream(stream, output, input));
            int produced = (int) output.getLong(Libzstd.BUFFER_POS);
            boolean consumed = in.finished() && input.getLong(Libzstd.BUFFER_POS) == input.getLong(Libzstd.BUFFER_LENGTH);
            boolean full = produced == out.capacity();
            if (consumed && (!full || hint == 0)) {
                return out.result(produced);
            }
            if (full) {
                out.grow(produced);
                output.setPointer(Libzstd.BUFFER_POINTER, out.at(0));
                output.setLong(Libzstd.BUFFER_LENGTH, out.capacity());
            }
        }
    }

    private static long check(long code) throws DecodeFailure {
        if (Libzstd.ZSTD_isError(code) != 0) {
            throw ZstdProblem.ofErrorCode(Libzstd.ZSTD_getErrorCode(code)).failure();
        }
        return code;
    }

    /**
     * Streaming, libzstd decodes a small frame in one go where it can and then finds a wrong
     * content size as a full buffer; the Java walk sees a corrupt frame. kmod 30, the one that
     * streams, prints no decoder's words, so both say what the Java walk can tell.
     */
    private static long checkStreamed(long code) throws DecodeFailure {
        if (Libzstd.ZSTD_isError(code) != 0) {
            ZstdProblem problem = ZstdProblem.ofErrorCode(Libzstd.ZSTD_getErrorCode(code));
            throw (problem == ZstdProblem.DST_TOO_SMALL ? ZstdProblem.CORRUPT : problem).failure();
        }
        return code;
    }
}

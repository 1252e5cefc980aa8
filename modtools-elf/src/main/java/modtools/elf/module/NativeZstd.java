package modtools.elf.module;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * zstd through libzstd's streaming decoder, the one kmod 30 uses, fed the whole mapped file: so
 * frames follow frames, skippable frames are skipped, the window limit is libzstd's default, and
 * a file that simply stops yields what libzstd decoded up to the cut, exactly as for kmod. The
 * output is sized from the frames' content sizes when they all declare one. Each call has its
 * own stream, so threads decode at once.
 */
final class NativeZstd {
    private NativeZstd() {}

    static ByteBuffer decode(ByteBuffer compressed, String file, int limit) throws ModuleLoadException, DecodeFailure {
        Pointer in = Decompression.address(compressed);
        int inSize = compressed.remaining();
        long declared = Libzstd.ZSTD_findDecompressedSize(in, inSize);
        if (declared == Libzstd.CONTENTSIZE_UNKNOWN || declared == Libzstd.CONTENTSIZE_ERROR) {
            declared = -1;
        }
        DirectOutput out = new DirectOutput(file, Decompression.outputSize(declared, inSize), limit);
        Pointer stream = Libzstd.ZSTD_createDStream();
        if (stream == null) {
            throw ZstdProblem.MEMORY.failure();
        }
        try (Memory buffers = new Memory(2L * Libzstd.BUFFER_SIZE)) {
            check(Libzstd.ZSTD_initDStream(stream));
            Pointer input = buffers.share(0, Libzstd.BUFFER_SIZE);
            Pointer output = buffers.share(Libzstd.BUFFER_SIZE, Libzstd.BUFFER_SIZE);
            input.setPointer(Libzstd.BUFFER_POINTER, in);
            input.setLong(Libzstd.BUFFER_LENGTH, inSize);
            input.setLong(Libzstd.BUFFER_POS, 0);
            output.setPointer(Libzstd.BUFFER_POINTER, out.at(0));
            output.setLong(Libzstd.BUFFER_LENGTH, out.capacity());
            output.setLong(Libzstd.BUFFER_POS, 0);
            while (true) {
                long hint = check(Libzstd.ZSTD_decompressStream(stream, output, input));
                int produced = (int) output.getLong(Libzstd.BUFFER_POS);
                boolean consumed = input.getLong(Libzstd.BUFFER_POS) == inSize;
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
        } finally {
            Libzstd.ZSTD_freeDStream(stream);
            // libzstd reads the mapping through a bare address: it must outlive the calls
            Reference.reachabilityFence(compressed);
        }
    }

    private static long check(long code) throws DecodeFailure {
        if (Libzstd.ZSTD_isError(code) != 0) {
            throw ZstdProblem.ofErrorCode(Libzstd.ZSTD_getErrorCode(code)).failure();
        }
        return code;
    }
}

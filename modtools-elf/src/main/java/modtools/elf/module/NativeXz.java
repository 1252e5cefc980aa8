package modtools.elf.module;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * xz through liblzma, decoded as kmod does it (lzma_stream_decoder with LZMA_CONCATENATED, no
 * memory limit, every check ID liblzma accepts) but in one call over the whole mapped file,
 * straight into a buffer of the size the index records. Each call has its own lzma_stream, so
 * threads decode at once.
 */
final class NativeXz {
    private NativeXz() {}

    static ByteBuffer decode(ByteBuffer compressed, String file, int limit) throws ModuleLoadException, DecodeFailure {
        long declared = XzIndex.uncompressedSize(compressed);
        DirectOutput out = new DirectOutput(file, Decompression.outputSize(declared, compressed.remaining()), limit);
        try (Memory stream = new Memory(Liblzma.STREAM_SIZE)) {
            stream.clear();
            int ret = Liblzma.lzma_stream_decoder(stream, Liblzma.NO_MEMORY_LIMIT, Liblzma.LZMA_CONCATENATED);
            if (ret != Liblzma.LZMA_OK) {
                throw XzProblem.ofReturn(ret).failure();
            }
            try {
                return run(stream, Decompression.address(compressed), compressed.remaining(), out);
            } finally {
                Liblzma.lzma_end(stream);
                // liblzma reads the mapping through a bare address: it must outlive the calls
                Reference.reachabilityFence(compressed);
            }
        }
    }

    private static ByteBuffer run(Pointer stream, Pointer in, int inSize, DirectOutput out)
            throws ModuleLoadException, DecodeFailure {
        stream.setPointer(Liblzma.NEXT_IN, in);
        stream.setLong(Liblzma.AVAIL_IN, inSize);
        stream.setPointer(Liblzma.NEXT_OUT, out.at(0));
        stream.setLong(Liblzma.AVAIL_OUT, out.capacity());
        while (true) {
            int ret = Liblzma.lzma_code(stream, Liblzma.LZMA_FINISH);
            int produced = (int) stream.getLong(Liblzma.TOTAL_OUT);
            if (ret == Liblzma.LZMA_STREAM_END) {
                return out.result(produced);
            }
            if (ret != Liblzma.LZMA_OK && ret != Liblzma.LZMA_BUF_ERROR) {
                throw XzProblem.ofReturn(ret).failure();
            }
            if (stream.getLong(Liblzma.AVAIL_OUT) != 0) {
                // liblzma answers LZMA_BUF_ERROR to a second call that can make no progress:
                // the input ended inside a stream
                if (ret == Liblzma.LZMA_BUF_ERROR) {
                    throw XzProblem.TRUNCATED.failure();
                }
                continue;
            }
            out.grow(produced);
            stream.setPointer(Liblzma.NEXT_OUT, out.at(produced));
            stream.setLong(Liblzma.AVAIL_OUT, out.capacity() - produced);
        }
    }
}

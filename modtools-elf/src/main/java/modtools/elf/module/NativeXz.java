package modtools.elf.module;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * xz through liblzma, decoded as kmod does it (LZMA_CONCATENATED, no memory limit, every check
 * ID liblzma accepts, the file read in chunks), straight into a buffer of the size the index
 * records, and the blocks of a large module on every processor ({@link LiblzmaThreads}). Each
 * call has its own lzma_stream, so threads decode at once.
 */
final class NativeXz {
    private NativeXz() {}

    static ByteBuffer decode(CompressedFile file, int limit, DecodedMemory memory) throws IOException {
        long declared = XzIndex.uncompressedSize(file.mapped());
        DirectOutput out = new DirectOutput(file.name(), Decompression.outputSize(declared, file.size()), limit,
                memory);
        try (Memory stream = new Memory(Liblzma.STREAM_SIZE)) {
            stream.clear();
            int ret = start(stream);
            if (ret != Liblzma.LZMA_OK) {
                throw XzProblem.ofReturn(ret).failure();
            }
            try (FileChunks chunks = file.chunks()) {
                return run(stream, chunks, out);
            } finally {
                Liblzma.lzma_end(stream);
            }
        }
    }

    /** The decoder on as many threads as there are processors, where liblzma has that decoder. */
    private static int start(Pointer stream) {
        int threads = Runtime.getRuntime().availableProcessors();
        if (threads == 1 || !LiblzmaThreads.AVAILABLE) {
            return Liblzma.lzma_stream_decoder(stream, Liblzma.NO_MEMORY_LIMIT, Liblzma.LZMA_CONCATENATED);
        }
        try (Memory options = new Memory(LiblzmaThreads.OPTIONS_SIZE)) {
            options.clear();
            options.setInt(LiblzmaThreads.FLAGS, Liblzma.LZMA_CONCATENATED);
            options.setInt(LiblzmaThreads.THREADS, threads);
            options.setLong(LiblzmaThreads.MEMLIMIT_THREADING, LiblzmaThreads.THREADING_MEMORY);
            options.setLong(LiblzmaThreads.MEMLIMIT_STOP, Liblzma.NO_MEMORY_LIMIT);
            return LiblzmaThreads.lzma_stream_decoder_mt(stream, options);
        }
    }

    private static ByteBuffer run(Pointer stream, FileChunks in, DirectOutput out) throws IOException {
        stream.setPointer(Liblzma.NEXT_OUT, out.at(0));
        stream.setLong(Liblzma.AVAIL_OUT, out.capacity());
        int action = Liblzma.LZMA_RUN;
        while (true) {
            if (stream.getLong(Liblzma.AVAIL_IN) == 0 && action == Liblzma.LZMA_RUN) {
                stream.setLong(Liblzma.AVAIL_IN, in.next());
                stream.setPointer(Liblzma.NEXT_IN, in.address());
                action = in.finished() ? Liblzma.LZMA_FINISH : Liblzma.LZMA_RUN;
            }
            int ret = Liblzma.lzma_code(stream, action);
            int produced = (int) stream.getLong(Liblzma.TOTAL_OUT);
            if (ret == Liblzma.LZMA_STREAM_END) {
                return out.result(produced);
            }
            if (ret != Liblzma.LZMA_OK && ret != Liblzma.LZMA_BUF_ERROR) {
                throw XzProblem.ofReturn(ret).failure();
            }
            if (stream.getLong(Liblzma.AVAIL_OUT) == 0) {
                out.grow(produced);
                stream.setPointer(Liblzma.NEXT_OUT, out.at(produced));
                stream.setLong(Liblzma.AVAIL_OUT, out.capacity() - produced);
            } else if (ret == Liblzma.LZMA_BUF_ERROR) {
                // liblzma's answer to a call that can make no progress: the input ended inside a stream
                throw XzProblem.TRUNCATED.failure();
            }
        }
    }
}

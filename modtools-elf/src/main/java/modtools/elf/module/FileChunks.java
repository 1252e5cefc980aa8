package modtools.elf.module;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A compressed file fed to a C decoder a chunk at a time by pread, as kmod reads it: the
 * compressed bytes are never all in memory next to the growing module (with amdgpu.ko.xz, 4 of
 * kmod's 34 MiB), where reading them through the mapping would keep every page of it resident.
 * The chunk buffer is freed by {@link #close}: a reader of thousands of modules would otherwise
 * hold one per module until a garbage collection.
 */
final class FileChunks implements AutoCloseable {
    private static final int CHUNK = 256 * 1024;

    private final FileChannel channel;
    private final long size;
    private final Memory address;
    private final ByteBuffer chunk;
    private long position;

    FileChunks(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
        int capacity = (int) Math.min(CHUNK, Math.max(1, size));
        this.address = new Memory(capacity);
        this.chunk = address.getByteBuffer(0, capacity);
    }

    boolean finished() {
        return position == size;
    }

    /** Reads the next chunk; its bytes are at {@link #address()}, this many of them. */
    int next() throws IOException {
        chunk.clear();
        while (chunk.hasRemaining() && position < size) {
            int n = channel.read(chunk, position);
            if (n < 0) {
                throw new IOException("file shrank while being read");
            }
            position += n;
        }
        return chunk.position();
    }

    Pointer address() {
        return address;
    }

    @Override
    public void close() {
        address.close();
    }
}

package modtools.elf.module;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Decompressed bytes collected on the heap, refusing to grow past a limit. */
final class BoundedOutput {
    private final String file;
    private final int limit;
    private byte[] buffer;
    private int size;

    BoundedOutput(String file, int expectedSize, int limit) {
        this.file = file;
        this.limit = limit;
        this.buffer = new byte[Math.min(expectedSize, limit)];
    }

    int size() {
        return size;
    }

    /** Appends everything {@code in} yields. */
    void readFrom(InputStream in) throws IOException {
        while (true) {
            if (size == buffer.length) {
                if (size == limit) {
                    if (in.read() < 0) {
                        return;
                    }
                    throw new ModuleLoadException(file, "decompresses to more than " + limit + " bytes");
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(4096, buffer.length * 2L)));
            }
            int n = in.read(buffer, size, buffer.length - size);
            if (n < 0) {
                return;
            }
            size += n;
        }
    }

    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(buffer, 0, size);
    }
}

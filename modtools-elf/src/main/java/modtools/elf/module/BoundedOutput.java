package modtools.elf.module;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Supplier;

/** Decompressed bytes collected on the heap, refusing to grow past a limit. */
final class BoundedOutput {
    private final int limit;
    private final Supplier<IOException> overflow;
    private byte[] buffer;
    private int size;

    /** Past {@code limit} the module is refused as too large. */
    BoundedOutput(String file, int expectedSize, int limit) {
        this(expectedSize, limit, () -> ModuleLoadException.tooLarge(file, limit));
    }

    /** Past {@code limit} the decoding fails with {@code overflow}'s exception. */
    BoundedOutput(int expectedSize, int limit, Supplier<IOException> overflow) {
        this.limit = limit;
        this.overflow = overflow;
        this.buffer = new byte[Math.min(expectedSize, limit)];
    }

    int size() {
        return size;
    }

    /** Whether the output has reached its limit. */
    boolean full() {
        return size == limit;
    }

    /** Appends everything {@code in} yields. */
    void readFrom(InputStream in) throws IOException {
        while (true) {
            if (size == buffer.length) {
                if (size == limit) {
                    if (in.read() < 0) {
                        return;
                    }
                    throw overflow.get();
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

package modtools.elf.module;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** A stream over a (mapped) buffer, so decoders read the file without a copy. */
final class BufferInputStream extends InputStream {
    private final ByteBuffer buffer;

    BufferInputStream(ByteBuffer buffer) {
        this.buffer = buffer.duplicate();
    }

    @Override
    public int read() {
        return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!buffer.hasRemaining()) {
            return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    /** Exact, because GZIPInputStream only looks for another member when bytes are available. */
    @Override
    public int available() {
        return buffer.remaining();
    }
}

package modtools.cli.server;

import com.sun.jna.Memory;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * An output stream on a descriptor the caller passed: bytes go to the caller's own open file
 * (its offset, O_APPEND, pipe or terminal) exactly as a process of its own would write them.
 * Buffered in native memory, so a flush is one write(2). Once the request is cancelled every
 * write fails, so a command stops producing output for a caller that has gone.
 */
final class FdOutput extends OutputStream {
    private final int fd;
    private final Memory buffer;
    private final BooleanSupplier cancelled;
    private int used;

    FdOutput(int fd, int capacity, BooleanSupplier cancelled) {
        this.fd = fd;
        this.buffer = new Memory(capacity);
        this.cancelled = cancelled;
    }

    @Override
    public void write(int b) throws IOException {
        if (used == buffer.size()) {
            flush();
        }
        buffer.setByte(used++, (byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            if (used == buffer.size()) {
                flush();
            }
            int n = (int) Math.min(length, buffer.size() - used);
            buffer.write(used, bytes, offset, n);
            used += n;
            offset += n;
            length -= n;
        }
    }

    @Override
    public void flush() throws IOException {
        if (cancelled.getAsBoolean()) {
            used = 0;
            throw new IOException("request cancelled");
        }
        try {
            Libc.writeAll(fd, buffer, used);
        } catch (Libc.SysError e) {
            throw new IOException(e.getMessage());
        } finally {
            used = 0;
        }
    }

    /** The descriptor itself belongs to the connection, which closes it after the request. */
    @Override
    public void close() {
        buffer.close();
    }
}

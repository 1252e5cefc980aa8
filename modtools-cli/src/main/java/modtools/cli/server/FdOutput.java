package modtools.cli.server;

import com.sun.jna.Memory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * An output stream on a descriptor the caller passed: bytes go to the caller's own open file
 * (its offset, O_APPEND, pipe or terminal) exactly as a process of its own would write them.
 * Buffered in native memory, so a flush is one write(2). Once the request is cancelled every
 * write fails, so a command stops producing output for a caller that has gone.
 *
 * <p>A pipe or socket may never drain: a client killed while its reader has stopped reading
 * would hold this thread in write(2) for ever, since no signal reaches it and closing the
 * descriptor does not wake it. So those are written without blocking (a pipe through a
 * description of the server's own, a socket with MSG_DONTWAIT), and while there is no room
 * the stream waits in poll(2) in short steps, checking for a cancel between them. Regular
 * files and terminals are written as they are.
 */
final class FdOutput extends OutputStream {
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    /** How long a write without room waits before it looks at the cancel again. */
    private static final int POLL_MILLIS = 100;

    private final int fd;
    /** Whether {@code fd} is the stream's own description, closed with it. */
    private final boolean own;
    private final boolean waits;
    private final boolean socket;
    private final Memory buffer;
    private final BooleanSupplier cancelled;
    private int used;

    private FdOutput(int fd, boolean own, boolean waits, boolean socket, int capacity, BooleanSupplier cancelled) {
        this.fd = fd;
        this.own = own;
        this.waits = waits;
        this.socket = socket;
        this.buffer = new Memory(capacity);
        this.cancelled = cancelled;
    }

    /** A stream on the caller's descriptor {@code fd}. */
    static FdOutput on(int fd, int capacity, BooleanSupplier cancelled) {
        int type = fileType(fd);
        if (type == S_IFSOCK) {
            return new FdOutput(fd, false, true, true, capacity, cancelled);
        }
        if (type == S_IFIFO) {
            try {
                return new FdOutput(Libc.reopenNonBlocking(fd), true, true, false, capacity, cancelled);
            } catch (Libc.SysError e) {
                // no reader (the first write fails with EPIPE), or not ours to reopen: written as given
            }
        }
        return new FdOutput(fd, false, false, false, capacity, cancelled);
    }

    private static int fileType(int fd) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:mode") & S_IFMT;
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
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
        try {
            checkCancelled();
            if (waits) {
                writeWaiting();
            } else {
                Libc.writeAll(fd, buffer, used);
            }
        } catch (Libc.SysError e) {
            throw new IOException(e.getMessage());
        } finally {
            used = 0;
        }
    }

    private void writeWaiting() throws IOException, Libc.SysError {
        long done = 0;
        while (done < used) {
            long n = Libc.writeNow(fd, buffer.share(done), used - done, socket);
            if (n == 0) {
                Libc.waitWritable(fd, POLL_MILLIS);
                checkCancelled();
            }
            done += n;
        }
    }

    private void checkCancelled() throws IOException {
        if (cancelled.getAsBoolean()) {
            throw new IOException("request cancelled");
        }
    }

    /** The caller's descriptor itself belongs to the connection, which closes it after the request. */
    @Override
    public void close() {
        buffer.close();
        if (own) {
            Libc.closeQuietly(fd);
        }
    }
}

package modtools.cli.server;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import modtools.cli.Invocation;
import modtools.cli.Main;

/**
 * One client's call, from its connection to its exit status. The reply is lines of text:
 * {@code refused: WHY} (the call was not taken; the client runs it in a JVM of its own),
 * {@code fallback} (taken, but not one the server runs), {@code stale} (this server runs
 * another build and quits), or {@code start} once the command runs, then {@code exit N}.
 * While the command runs, a byte from the client or the client's end of the connection
 * cancels it: its output stops, it is interrupted, and what it writes into place is renamed
 * there whole or not at all.
 */
final class Connection implements Runnable {
    /** A client that connects and says nothing is dropped after this long. */
    private static final long REQUEST_TIMEOUT_MILLIS = 5000;
    private static final int DESCRIPTORS = 3;

    private final Server server;
    private final int fd;
    private int[] descriptors = new int[0];
    private int peerPid;

    Connection(Server server, int fd) {
        this.server = server;
        this.fd = fd;
    }

    @Override
    public void run() {
        try {
            serve();
        } catch (Libc.SysError e) {
            reply(e.errno == Libc.EAGAIN ? "refused: no whole request within " + REQUEST_TIMEOUT_MILLIS + " ms"
                    : "refused: " + e.getMessage());
        } finally {
            for (int d : descriptors) {
                Libc.closeQuietly(d);
            }
            Libc.closeQuietly(fd);
            server.finished();
        }
    }

    private void serve() throws Libc.SysError {
        int[] credentials = Libc.peerCredentials(fd);
        peerPid = credentials[0];
        int peer = credentials[1];
        if (peer != server.uid()) {
            reply("refused: uid " + peer + " may not use the server of uid " + server.uid());
            return;
        }
        Libc.receiveTimeout(fd, REQUEST_TIMEOUT_MILLIS);
        Libc.Received first = Libc.receive(fd, 4, DESCRIPTORS + 1);
        descriptors = first.fds();
        if (first.bytes().length == 0) {
            return;
        }
        byte[] header = readFully(first.bytes(), 4);
        if (header == null) {
            reply("refused: request ends inside its length");
            return;
        }
        int length = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder()).getInt();
        if (length < 0 || length > Request.MAX_LENGTH) {
            reply("refused: request of " + Integer.toUnsignedString(length) + " bytes (at most " + Request.MAX_LENGTH + ")");
            return;
        }
        if (first.truncated() || descriptors.length != DESCRIPTORS) {
            reply("refused: a request carries its standard input, output and error, "
                    + descriptors.length + " descriptors came");
            return;
        }
        byte[] payload = readFully(new byte[0], length);
        if (payload == null) {
            reply("refused: request shorter than its length");
            return;
        }
        Request.Parsed parsed = Request.parse(payload);
        if (parsed instanceof Request.Malformed m) {
            reply("refused: malformed request: " + m.reason());
            return;
        }
        Request request = ((Request.Valid) parsed).request();
        if (!request.buildId().equals(server.buildId())) {
            server.retire();
            reply("stale");
            return;
        }
        Libc.receiveTimeout(fd, 0);
        execute(request);
    }

    /** {@code start} bytes already read, then the rest up to {@code length}; null if the client stops first. */
    private byte[] readFully(byte[] start, int length) throws Libc.SysError {
        byte[] bytes = new byte[length];
        int have = Math.min(start.length, length);
        System.arraycopy(start, 0, bytes, 0, have);
        while (have < length) {
            int n = Libc.read(fd, bytes, have, length - have);
            if (n == 0) {
                return null;
            }
            have += n;
        }
        return bytes;
    }

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int CANCELLED = 2;

    /**
     * Runs the command on this thread while a pooled one watches the connection for a cancel;
     * the exit status goes out before that watcher is woken and waited for, so the client never
     * waits for a thread hand-off after its command.
     */
    private void execute(Request request) throws Libc.SysError {
        AtomicInteger state = new AtomicInteger(RUNNING);
        FdOutput outStream = FdOutput.on(descriptors[1], 1 << 16, () -> state.get() == CANCELLED);
        FdOutput errStream = FdOutput.on(descriptors[2], 1 << 12, () -> state.get() == CANCELLED);
        PrintStream out = new PrintStream(outStream, false, StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(errStream, true, StandardCharsets.ISO_8859_1);
        try {
            Path cwd = Path.of(request.cwd());
            Optional<Invocation> invocation = Main.invocation(request.argv0(), request.args(), out, err, cwd,
                    request.environment(), request.stderrClosed(), server.cache());
            if (invocation.isPresent() && !(Served.served(invocation.get(), server.ownEnvironment())
                    && Served.seesSameFiles(peerPid))) {
                reply("fallback");
                return;
            }
            reply("start");
            Thread self = Thread.currentThread();
            Future<?> watcher = server.pool().submit(() -> watch(state, self));
            int status;
            try {
                status = Main.dispatch(request.argv0(), request.args(), out, err, cwd, request.environment(),
                        request.stderrClosed(), server.cache());
            } catch (RuntimeException | Error e) {
                err.println("modtools: " + e);
                status = 1;
            }
            out.flush();
            err.flush();
            boolean done = state.compareAndSet(RUNNING, DONE);
            if (done) {
                reply("exit " + status);
                if (status == 0 && invocation.isPresent()) {
                    server.rehearsals().after(request, invocation.get());
                }
            }
            Libc.stopReading(fd);
            waitFor(watcher);
            // a cancel's interrupt has been delivered by now: it must not reach this thread's next call
            Thread.interrupted();
            if (!done) {
                reply("exit " + status);
            }
        } finally {
            outStream.close();
            errStream.close();
        }
    }

    /** A byte from the client, or its end of the connection, while the command runs cancels it. */
    private void watch(AtomicInteger state, Thread command) {
        try {
            Libc.read(fd, new byte[1], 0, 1);
        } catch (Libc.SysError e) {
            // the connection failed: the client is gone as surely as after a cancel byte
        }
        if (state.compareAndSet(RUNNING, CANCELLED)) {
            command.interrupt();
        }
    }

    private static void waitFor(Future<?> task) {
        while (true) {
            try {
                task.get();
                return;
            } catch (InterruptedException e) {
                // the cancel's own interrupt: the watcher is ending
            } catch (ExecutionException e) {
                return;
            }
        }
    }

    /** One line to the client; a client that has gone does not hear it. */
    private void reply(String line) {
        try {
            Libc.sendAll(fd, (line + "\n").getBytes(StandardCharsets.ISO_8859_1));
        } catch (Libc.SysError e) {
            // the client has gone
        }
    }
}

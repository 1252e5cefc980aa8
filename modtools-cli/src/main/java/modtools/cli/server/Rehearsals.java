package modtools.cli.server;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import modtools.cli.Invocation;
import modtools.cli.Main;
import modtools.cli.modprobe.ModprobeCommand;

/**
 * A fresh server's first calls run in the interpreter until C1 has compiled their code, and
 * a caller like mkinitramfs, whose calls follow one another, pays for it on each: 240 of its
 * modinfo and modprobe calls took 1.5 s on a fresh server and 0.86 s on the same server again.
 * So each of a server's first calls that only read is run again a few times, output discarded,
 * on a thread of its own at the lowest CPU priority: while the caller does its own work between
 * calls, on the core it leaves idle, that code is compiled and the indexes it read are cached.
 * A call that writes files (depmod, link), logs to syslog, or was cancelled is never run again.
 */
final class Rehearsals {
    /** How many of a server's calls are run again, and how many times each. */
    private static final int CALLS = 128;
    private static final int TIMES = 3;

    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream(), false,
            StandardCharsets.ISO_8859_1);

    private final AtomicInteger left = new AtomicInteger(CALLS);
    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(() -> {
            Libc.lowestPriorityForThisThread();
            task.run();
        }, "modtools rehearsal");
        t.setDaemon(true);
        return t;
    });
    private final Server server;

    Rehearsals(Server server) {
        this.server = server;
    }

    /** After {@code request}, run as {@code invocation}, has ended and its status is sent. */
    void after(Request request, Invocation invocation) {
        if (request.stderrClosed() || !onlyReads(invocation) || left.get() <= 0 || left.getAndDecrement() <= 0) {
            return;
        }
        thread.execute(() -> {
            for (int i = 0; i < TIMES; i++) {
                try {
                    Main.dispatch(request.argv0(), request.args(), DISCARD, DISCARD, Path.of(request.cwd()),
                            request.environment(), false, server.cache());
                } catch (RuntimeException | Error e) {
                    return; // what the call said, its caller has heard
                }
            }
        });
    }

    /** Whether running the call again unseen changes nothing: no file written, no syslog record. */
    static boolean onlyReads(Invocation inv) {
        return switch (inv.program()) {
            case "modinfo" -> true;
            case "modprobe" -> ModprobeCommand.onlyLooksQuietly(inv.args(), inv.environment());
            default -> false;
        };
    }
}

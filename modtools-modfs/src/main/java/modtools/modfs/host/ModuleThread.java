package modtools.modfs.host;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The threads a module's code runs on: one for its init and exit, so native code that blocks
 * or loops holds only its own thread, never the filesystem, and one more for every thread the
 * module starts through {@code modfs_thread_run}. All are daemon threads, so a module stuck in
 * its code cannot keep the host from exiting, and every call into the module goes through
 * {@link NativeHost#call}, so a fault ends the call, not the host.
 */
public final class ModuleThread {
    private static final ThreadLocal<ModuleThread> CURRENT = new ThreadLocal<>();
    private static final int EAGAIN = 11;

    private final String name;
    private final HostLog log;
    private final Consumer<Fault> threadFaulted;
    private final ExecutorService executor;
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closed;

    /** {@code threadFaulted} hears of a fault in a thread the module started, on that thread. */
    public ModuleThread(String name, HostLog log, Consumer<Fault> threadFaulted) {
        this.name = name;
        this.log = log;
        this.threadFaulted = threadFaulted;
        this.executor = Executors.newSingleThreadExecutor(task -> daemon(task, "module " + name));
    }

    private Thread daemon(Runnable task, String threadName) {
        Thread t = new Thread(() -> {
            CURRENT.set(this);
            task.run();
        }, threadName);
        t.setDaemon(true);
        return t;
    }

    /** The module whose code this thread runs (through a host function it called), if any. */
    static Optional<ModuleThread> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Calls {@code int init(void)} at {@code address}. */
    public CompletableFuture<ModuleCall> init(long address) {
        return CompletableFuture.supplyAsync(() -> NativeHost.call(address, 0, NativeHost.CALL_INT), executor);
    }

    /** Calls {@code void exit(void)} at {@code address}. */
    public CompletableFuture<ModuleCall> exit(long address) {
        return CompletableFuture.supplyAsync(() -> NativeHost.call(address, 0, NativeHost.CALL_VOID), executor);
    }

    /** How many threads the module started are still running its code. */
    public int threadsRunning() {
        return running.get();
    }

    void log(String line) {
        log.add(line);
    }

    /** {@code modfs_thread_run(fn, arg)}: 0, or -EAGAIN once the module's memory is being released. */
    int start(long fn, long arg) {
        if (closed) {
            return -EAGAIN;
        }
        running.incrementAndGet();
        daemon(() -> {
            ModuleCall call;
            try {
                call = NativeHost.call(fn, arg, NativeHost.CALL_INT_ARG);
            } finally {
                running.decrementAndGet();
            }
            // Counted out first: whoever learns of the fault may unmap at once, and this thread
            // no longer touches the module's memory.
            if (call instanceof ModuleCall.Faulted f) {
                threadFaulted.accept(f.fault());
            }
        }, "module " + name + " thread " + started.incrementAndGet()).start();
        return 0;
    }

    /** No more calls; a call still running finishes on its own. */
    public void close() {
        closed = true;
        executor.shutdown();
    }
}

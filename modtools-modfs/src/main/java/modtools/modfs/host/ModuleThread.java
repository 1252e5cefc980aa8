package modtools.modfs.host;

import com.sun.jna.Function;
import com.sun.jna.Pointer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The thread a module's init and exit run on, one per module: native code that blocks or loops
 * holds only its own thread, never the filesystem. Daemon threads, so a module stuck in init
 * cannot keep the host from exiting.
 */
public final class ModuleThread {
    private final ExecutorService executor;

    public ModuleThread(String name) {
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "module " + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Calls {@code int init(void)} at {@code address}; completes with what it returned. */
    public CompletableFuture<Integer> init(long address) {
        return CompletableFuture.supplyAsync(() -> Function.getFunction(new Pointer(address)).invokeInt(new Object[0]),
                executor);
    }

    /** Calls {@code void exit(void)} at {@code address}. */
    public CompletableFuture<Void> exit(long address) {
        return CompletableFuture.runAsync(() -> Function.getFunction(new Pointer(address)).invokeVoid(new Object[0]),
                executor);
    }

    /** No more calls; a call still running finishes on its own. */
    public void close() {
        executor.shutdown();
    }
}

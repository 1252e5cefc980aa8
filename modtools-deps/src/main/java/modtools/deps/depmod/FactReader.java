package modtools.deps.depmod;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Reads module files on helper threads while the module search is still walking the tree:
 * the search is mostly waiting on stat(2), the reading mostly on the CPU, so overlapping
 * them is the cheapest time depmod can save. A module the search later drops was read for
 * nothing, which is rare (duplicates across search directories).
 */
final class FactReader {
    /** Queued once per helper after the last module; compared by identity, never a path. */
    private static final String END = new String("end of search");

    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Map<String, ModuleFacts> read = new ConcurrentHashMap<>();
    private final Thread[] helpers;

    FactReader() {
        // One per core: during the search they share the cores with it, after it they have them all.
        helpers = new Thread[Runtime.getRuntime().availableProcessors()];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Thread(new Runnable() {
                @Override
                public void run() {
                    drain();
                }
            }, "depmod-reader-" + i);
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    /** A module the search found; reading starts as soon as a helper is free. */
    void found(String path) {
        queue.add(path);
    }

    /**
     * The facts of every module in {@code paths}, once the search has ended: the helpers
     * finish the queue, then this thread reads whatever was never queued.
     */
    Map<String, ModuleFacts> finish(List<String> paths) {
        for (int i = 0; i < helpers.length; i++) {
            queue.add(END);
        }
        for (Thread t : helpers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for module readers", e);
            }
        }
        for (String p : paths) {
            if (!read.containsKey(p)) {
                read.put(p, ModuleFacts.read(p));
            }
        }
        return read;
    }

    private void drain() {
        try {
            for (String path = queue.take(); path != END; path = queue.take()) {
                read.put(path, ModuleFacts.read(path));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

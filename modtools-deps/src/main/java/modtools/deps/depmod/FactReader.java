package modtools.deps.depmod;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import modtools.deps.cache.FileKey;
import modtools.elf.module.LinkageScratch;
import modtools.elf.module.ReadBuffer;
import modtools.elf.module.ZstdReading;

/**
 * Reads module files on helper threads, one per core, while the module search is still walking
 * the tree: the search is mostly waiting on stat(2), the reading mostly on the CPU, so
 * overlapping them is the cheapest time depmod can save. The largest module found so far goes
 * first, so that the run does not end with one core decompressing a large module while the
 * other waits. A module whose facts the cache holds for its file as it is now is not read. A
 * module the search later drops was read for nothing, which is rare (duplicates across search
 * directories).
 */
final class FactReader {
    /** A module to read; larger ones first. */
    private record Job(String path, long size) implements Comparable<Job> {
        @Override
        public int compareTo(Job other) {
            return Long.compare(other.size, size);
        }
    }

    /** Queued once per helper after the last module: smaller than any file, so taken last. */
    private static final Job END = new Job("", -1);

    private final PriorityBlockingQueue<Job> queue = new PriorityBlockingQueue<>(1 << 12);
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Map<String, ModuleFacts> read = new ConcurrentHashMap<>();
    private final FactCache cache;
    private final ZstdReading zstdReading;
    private final Thread[] helpers;

    FactReader(FactCache cache, ZstdReading zstdReading) {
        this.cache = cache;
        this.zstdReading = zstdReading;
        // During the search they share the cores with it, after it they have them all.
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

    /** A module the search found, {@code size} bytes long; reading starts as soon as a helper is free. */
    void found(String path, long size) {
        if (queued.add(path)) {
            queue.add(new Job(path, size));
        }
    }

    /**
     * The facts of every module in {@code paths}, once the search has ended: the helpers
     * read those never queued (modules named on the command line) too.
     */
    Map<String, ModuleFacts> finish(List<String> paths) {
        for (String p : paths) {
            found(p, 0);
        }
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
        return read;
    }

    private void drain() {
        LinkageScratch scratch = new LinkageScratch();
        try (ReadBuffer buffer = new ReadBuffer()) {
            for (Job job = queue.take(); job != END; job = queue.take()) {
                read.put(job.path, factsOf(job.path, buffer, scratch));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ModuleFacts factsOf(String path, ReadBuffer buffer, LinkageScratch scratch) {
        FileKey key = cache.enabled() ? FileKey.of(ByteStrings.path(path)) : null;
        ModuleFacts facts = cache.lookup(path, key);
        boolean cached = facts != null;
        if (!cached) {
            facts = ModuleFacts.read(path, zstdReading, buffer, scratch);
        }
        cache.remember(path, key, facts, cached);
        return facts;
    }
}

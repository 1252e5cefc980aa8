package modtools.deps.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The resident server's {@link ReadCache}: values by key, each with the {@link FileKey}s its
 * files had when it was read, checked against the files on every use; a value any of whose
 * files has changed is read anew, never served. Bounded by the bytes its values account for,
 * the least recently used dropped first. A value whose files changed within the last second
 * when it was read is not kept (a second change within the same clock tick would leave their
 * keys as they are), and neither is one read from a file whose key does not follow its contents
 * (a pipe, a device, a file of /proc or /sys).
 */
public final class StampedCache implements ReadCache {
    private record Entry(Object value, List<Path> files, List<FileKey> keys, long bytes) {}

    /** What an entry costs beside its value: its key, its files and their keys, the map's node. */
    private static final long ENTRY_BYTES = 512;

    private final long capacity;
    private final Map<Object, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;

    /** A cache of at most {@code capacity} bytes. */
    public StampedCache(long capacity) {
        this.capacity = capacity;
    }

    @Override
    @SuppressWarnings("unchecked") // a key's type says its value's type
    public <V> V get(Object key, Supplier<Kept<V>> read) {
        Entry entry;
        synchronized (this) {
            entry = entries.get(key);
        }
        if (entry != null) {
            if (unchanged(entry)) {
                return (V) entry.value();
            }
            drop(key, entry);
        }
        long start = System.currentTimeMillis();
        Kept<V> kept = read.get();
        long bytes = kept.bytes() + ENTRY_BYTES;
        if (kept.files() != null && bytes <= capacity && kept.files().stream().allMatch(StampedCache::keyed)) {
            List<FileKey> keys = keysOf(kept.files());
            if (keys.stream().noneMatch(k -> k != null && k.racy(start))) {
                put(key, new Entry(kept.value(), kept.files(), keys, bytes));
            }
        }
        return kept.value();
    }

    /** The bytes the values kept account for. */
    public synchronized long used() {
        return used;
    }

    private static boolean unchanged(Entry entry) {
        for (int i = 0; i < entry.files().size(); i++) {
            if (!Objects.equals(entry.keys().get(i), FileKey.of(entry.files().get(i)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a file's key says whether its contents changed: true of regular files and
     * directories (and of a missing file), not of pipes, devices, or the kernel's files in
     * /proc and /sys, which change with their times standing still.
     */
    private static boolean keyed(Path file) {
        if (Files.notExists(file)) {
            return true;
        }
        try {
            Path real = file.toRealPath();
            return (Files.isRegularFile(real) || Files.isDirectory(real)) && !real.startsWith("/proc")
                    && !real.startsWith("/sys");
        } catch (IOException e) {
            return false;
        }
    }

    private static List<FileKey> keysOf(List<Path> files) {
        List<FileKey> keys = new ArrayList<>(files.size());
        for (Path file : files) {
            keys.add(FileKey.of(file));
        }
        return keys;
    }

    private synchronized void drop(Object key, Entry stale) {
        if (entries.remove(key, stale)) {
            used -= stale.bytes();
        }
    }

    private synchronized void put(Object key, Entry entry) {
        Entry old = entries.put(key, entry);
        used += entry.bytes() - (old == null ? 0 : old.bytes());
        Iterator<Entry> eldest = entries.values().iterator();
        while (used > capacity) {
            used -= eldest.next().bytes();
            eldest.remove();
        }
    }
}

package modtools.deps.depmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import modtools.deps.cache.FileKey;
import modtools.elf.module.ZstdReading;

/**
 * Module facts kept from one depmod run to the next (docs/depmod-cache.md), one file per module
 * directory in the cache directory. A module whose file still has the key it had when its facts
 * were cached is not read again; any other is read and its facts replace the old ones. A cache
 * that cannot be used or written costs one warning and a full read, never a wrong index.
 */
public final class FactCache {
    /** No cache: every module is read, nothing is written (--no-cache). */
    public static final FactCache NONE = new FactCache(null, false, null, null);

    private final Path file;
    /** A file of an older build's to remove once this cache is written; null when none. */
    private final Path superseded;
    private final String moduleDirectory;
    private final Thread loader;
    private final Map<String, FactCacheFile.Entry> current = new ConcurrentHashMap<>();
    private final long readStartMillis = System.currentTimeMillis();
    private volatile Map<String, FactCacheFile.Entry> loaded = Map.of();
    /** Why the file read at the start was not used, when it existed. */
    private volatile String readProblem;
    /** Why the new file could not be written. */
    private volatile String writeProblem;
    private volatile boolean changed;
    /** Whether the caller named the directory, so that failing to write there is worth a warning. */
    private final boolean chosen;

    private FactCache(Path directory, boolean chosen, String moduleDirectory, ZstdReading zstdReading) {
        this.moduleDirectory = moduleDirectory;
        this.chosen = chosen;
        if (directory == null) {
            file = null;
            superseded = null;
            loader = null;
            return;
        }
        file = directory.resolve(fileName(moduleDirectory, zstdReading));
        superseded = zstdReading == ZstdReading.ONE_SHOT ? directory.resolve(supersededName(moduleDirectory)) : null;
        // Loaded while the module search walks the tree; the first lookup waits for it.
        loader = new Thread(new Runnable() {
            @Override
            public void run() {
                load();
            }
        }, "depmod-cache");
        loader.setDaemon(true);
        loader.start();
    }

    /**
     * The cache for {@code moduleDirectory} (a byte string) in {@code directory}, loading at once;
     * read with {@code zstdReading} as the rule for zstd files. {@code chosen}: the caller named
     * the directory. A default one that cannot be written (a read-only /var, a user's tree
     * indexed without root) leaves the run without a cache and without a word, as kmod, which
     * has none, prints none.
     */
    public static FactCache in(Path directory, boolean chosen, String moduleDirectory, ZstdReading zstdReading) {
        return new FactCache(directory, chosen, moduleDirectory, zstdReading);
    }

    /**
     * One file per module directory, named by a hash of its path (the file records the path too),
     * one for each way of reading zstd files, since each reads files the other refuses. The
     * one-shot reading's name is not the one it had while it still streamed cut and
     * multi-frame files: facts cached then would outlive the rule.
     */
    private static String fileName(String moduleDirectory, ZstdReading zstdReading) {
        return String.format(zstdReading == ZstdReading.STREAM ? "depmod-%016x-streamed.facts" : "depmod-%016x-oneshot.facts",
                pathHash(moduleDirectory));
    }

    /**
     * The name the level-34 cache had while it streamed zstd: written by older builds, read by
     * none, so the first cache written under the new name removes it rather than leave it on disk.
     */
    private static String supersededName(String moduleDirectory) {
        return String.format("depmod-%016x.facts", pathHash(moduleDirectory));
    }

    private static long pathHash(String moduleDirectory) {
        long hash = 0xcbf29ce484222325L; // FNV-1a
        for (byte b : moduleDirectory.getBytes(StandardCharsets.ISO_8859_1)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    boolean enabled() {
        return file != null;
    }

    private void load() {
        if (!Files.isDirectory(file.getParent())) {
            changed = true; // no cache yet: writing it will tell whether the directory can be made
            return;
        }
        try {
            loaded = FactCacheFile.read(file, moduleDirectory);
        } catch (NoSuchFileException e) {
            changed = true; // the first run
        } catch (FactCacheFile.Unusable e) {
            readProblem = e.getMessage();
            changed = true;
        } catch (IOException e) {
            readProblem = ByteStrings.strerror(e);
            changed = true;
        }
    }

    /** The facts cached for {@code path} if its file still has {@code key}; null otherwise. */
    ModuleFacts lookup(String path, FileKey key) {
        if (key == null || file == null) {
            return null;
        }
        awaitLoad();
        FactCacheFile.Entry e = loaded.get(path);
        return e != null && e.key().equals(key) ? e.facts() : null;
    }

    /** Facts that will be in the next cache (if {@code path} is among the modules kept). */
    void remember(String path, FileKey key, ModuleFacts facts, boolean fromCache) {
        if (file == null || key == null || facts.failure() != null || key.racy(readStartMillis)) {
            changed |= !fromCache;
            return;
        }
        changed |= !fromCache;
        current.put(path, new FactCacheFile.Entry(path, key, facts));
    }

    private void awaitLoad() {
        try {
            loader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the fact cache", e);
        }
    }

    /**
     * What went wrong with the cache, in one line once {@link #save} has run: the file read
     * at the start was ignored, the new one could not be written in a directory the caller
     * chose, or both; null when neither.
     */
    String warning() {
        String unwritten = chosen ? writeProblem : null;
        if (readProblem == null) {
            return unwritten == null ? null : "could not write the fact cache " + file + ": " + unwritten;
        }
        return "ignoring the fact cache " + file + ": " + readProblem
                + (writeProblem == null ? "; it is rebuilt" : unwritten == null ? "" : "; could not rebuild it: " + unwritten);
    }

    /**
     * Writes the cache for the modules at {@code paths}, unless it would hold exactly what the
     * file read at the start holds. The new file is written under a name of this run's own and
     * renamed over the old one, so a reader (another depmod) sees one whole file or the other.
     */
    void save(List<String> paths) {
        if (file == null) {
            return;
        }
        awaitLoad();
        List<FactCacheFile.Entry> entries = new ArrayList<>(paths.size());
        for (String p : paths) {
            FactCacheFile.Entry e = current.get(p);
            if (e != null) {
                entries.add(e);
            }
        }
        if (!changed && entries.size() == loaded.size()) {
            return;
        }
        // Runs of a resident server share the process: the thread and the clock tell them apart.
        Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + "." + System.nanoTime() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.write(tmp, FactCacheFile.encode(moduleDirectory, entries), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            writeProblem = ByteStrings.strerror(e);
            return;
        }
        if (superseded != null) {
            deleteQuietly(superseded);
        }
        removeOrphans();
    }

    /**
     * Removes the cache files of this format whose module directory is gone. mkinitramfs runs
     * depmod on a temporary copy of the tree each time; each run would leave a file of up to a
     * few MiB behind for a directory no run will see again. A directory that cannot be told
     * gone (a permission denied on the way) keeps its file.
     */
    private void removeOrphans() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(file.getParent(), "depmod-*.facts")) {
            for (Path other : files) {
                if (!other.equals(file) && orphan(other)) {
                    deleteQuietly(other);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // the run's own cache is written; an orphan left costs disk space, never a wrong index
        }
    }

    private static boolean orphan(Path cacheFile) {
        try {
            Optional<String> directory = FactCacheFile.moduleDirectory(cacheFile);
            return directory.isPresent() && Files.notExists(ByteStrings.path(directory.get()));
        } catch (IOException | InvalidPathException e) {
            return false; // unreadable, or written by another build for a path this one cannot name
        }
    }

    /** Removes a file nothing reads; one left behind costs disk space, never a wrong index. */
    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // see above
        }
    }
}

package modtools.deps.cache;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a command reads and parses that a resident process may keep between its calls: index
 * files, configuration. A value is kept with the files it came from and handed out again only
 * while every one of them is still the same file ({@link FileKey}); a plain run of a command
 * keeps nothing ({@link #NONE}). Values must be immutable: calls on other threads share them.
 */
public interface ReadCache {
    /** Reads every time: a process that runs one command. */
    ReadCache NONE = new ReadCache() {
        @Override
        public <V> V get(Object key, Supplier<Kept<V>> read) {
            return read.get().value();
        }
    };

    /**
     * The value kept under {@code key} while its files are unchanged, else {@code read}'s. The
     * key must say everything the value depends on besides those files (the level, the working
     * directory, ...) and, by its type, the value's type.
     */
    <V> V get(Object key, Supplier<Kept<V>> read);

    /**
     * A value read, the files it depends on (a directory for its listing, a path that was
     * missing for its absence) and what it costs to keep, in bytes; {@code files} null: not to
     * be kept (it was read from something that can change unseen, or reading failed).
     */
    record Kept<V>(V value, List<Path> files, long bytes) {
        public Kept {
            files = files == null ? null : List.copyOf(files);
        }

        /** A value used once, never kept. */
        public static <V> Kept<V> once(V value) {
            return new Kept<>(value, null, 0);
        }
    }
}

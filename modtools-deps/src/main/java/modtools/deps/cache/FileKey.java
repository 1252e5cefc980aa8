package modtools.deps.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What says a file is still the one something was read from (a module's facts in depmod's
 * cache, an index or a configuration file in a resident server's): its size, modification
 * and status-change times in nanoseconds, inode and device, all of the file a symbolic link
 * leads to. Rewriting a file in place and restoring its size and mtime still moves its ctime;
 * replacing it by a rename changes its inode. A directory's key moves when an entry is added,
 * removed or renamed.
 */
public record FileKey(long size, long mtimeNanos, long ctimeNanos, long inode, long device) {
    private static final String ATTRIBUTES = "unix:size,lastModifiedTime,ctime,ino,dev";
    /** Far more than any file system's timestamp granularity. */
    private static final long RACY_MARGIN_MILLIS = 1000;

    /** The key of the file at {@code path}, or null when it cannot be stat'ed (missing, say). */
    public static FileKey of(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES);
            return new FileKey((Long) a.get("size"), nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")),
                    (Long) a.get("ino"), (Long) a.get("dev"));
        } catch (IOException | UnsupportedOperationException e) {
            return null; // reading the file will say what is wrong with it
        }
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }

    /**
     * Whether the file changed so recently that a change within the same clock tick, after it
     * was read, could leave this key as it is: its facts are then not cached (git's "racily
     * clean" entries). {@code readStartMillis} is when reading began.
     */
    public boolean racy(long readStartMillis) {
        return ctimeNanos / 1_000_000 >= readStartMillis - RACY_MARGIN_MILLIS;
    }
}

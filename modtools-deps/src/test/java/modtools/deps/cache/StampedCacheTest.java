package modtools.deps.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident server's cache: a value is read once while its files stay the same, and read
 * anew after any change a file's key shows, even one that keeps the size and puts the mtime
 * back; nothing read from a file changed within the last second, or from a pipe, is kept; and
 * the bound holds, the least recently used going first.
 */
class StampedCacheTest {
    @TempDir
    Path dir;
    Path file;
    final AtomicInteger reads = new AtomicInteger();
    final StampedCache cache = new StampedCache(1 << 20);

    @BeforeEach
    void oldFile() throws Exception {
        file = dir.resolve("a.conf");
        Files.writeString(file, "alias one dummy\n");
        settle();
    }

    /** Past the racy second, so what is read now is kept. */
    private static void settle() throws InterruptedException {
        Thread.sleep(1100);
    }

    /** The file's text through the cache. */
    private String cached() {
        return get("k", List.of(file));
    }

    private String get(Object key, List<Path> files) {
        return cache.get(key, () -> {
            reads.incrementAndGet();
            try {
                StringBuilder text = new StringBuilder();
                for (Path f : files) {
                    if (Files.isDirectory(f)) {
                        text.append(f.toFile().list().length);
                    } else if (Files.exists(f)) {
                        text.append(Files.readString(f));
                    }
                }
                return new ReadCache.Kept<>(text.toString(), files, text.length());
            } catch (IOException e) {
                return ReadCache.Kept.once("");
            }
        });
    }

    @Test
    void keptWhileTheFileStaysTheSame() {
        assertEquals("alias one dummy\n", cached());
        assertEquals("alias one dummy\n", cached());
        assertEquals(1, reads.get());
    }

    @Test
    void rewrittenInPlaceWithSizeAndMtimeRestoredIsReadAgain() throws Exception {
        cached();
        FileTime mtime = Files.getLastModifiedTime(file);
        Files.writeString(file, "alias two dummy\n", StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(file, mtime);
        assertEquals("alias two dummy\n", cached());
        assertEquals(2, reads.get());
    }

    @Test
    void replacedByRenameIsReadAgain() throws Exception {
        cached();
        Path next = dir.resolve("next");
        Files.writeString(next, "alias one dummz\n");
        Files.setLastModifiedTime(next, Files.getLastModifiedTime(file));
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals("alias one dummz\n", cached());
    }

    @Test
    void anEntryAddedToADirectoryOrAMissingFileAppearingIsSeen() throws Exception {
        Path missing = dir.resolve("b.conf");
        assertEquals("1", get("dir", List.of(dir, missing)));
        assertEquals("1", get("dir", List.of(dir, missing)));
        assertEquals(1, reads.get());
        Files.writeString(missing, "x");
        assertEquals("2x", get("dir", List.of(dir, missing)));
    }

    @Test
    void aFileChangedWithinTheLastSecondIsNotKept() throws Exception {
        Files.writeString(file, "alias new dummy\n");
        cached();
        cached();
        assertEquals(2, reads.get());
        settle();
        cached();
        cached();
        assertEquals(3, reads.get());
    }

    @Test
    void whatAPipeGaveIsNotKept() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        settle();
        Supplier<ReadCache.Kept<String>> read = () -> {
            reads.incrementAndGet();
            return new ReadCache.Kept<>("", List.of(fifo), 0);
        };
        cache.get("p", read);
        cache.get("p", read);
        assertEquals(2, reads.get());
    }

    @Test
    void theBoundHoldsAndTheLeastRecentlyUsedGoesFirst() {
        StampedCache bounded = new StampedCache(3 * 1000 + 3 * 512);
        for (String key : List.of("a", "b", "c")) {
            bounded.get(key, () -> new ReadCache.Kept<>(key, List.of(file), 1000));
        }
        bounded.get("a", () -> new ReadCache.Kept<>("a", List.of(file), 1000));
        bounded.get("d", () -> new ReadCache.Kept<>("d", List.of(file), 1000));
        assertTrue(bounded.used() <= 3 * 1000 + 3 * 512, "at most the bound: " + bounded.used());
        assertEquals("a", bounded.get("a", () -> new ReadCache.Kept<>("a again", List.of(file), 1000)));
        assertEquals("b again", bounded.get("b", () -> new ReadCache.Kept<>("b again", List.of(file), 1000)));
    }
}

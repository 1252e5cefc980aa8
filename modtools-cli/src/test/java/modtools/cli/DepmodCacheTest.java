package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * depmod's fact cache between runs on a real module tree: after each change to the tree, a run
 * that uses the cache writes the same indexes as a run with {@code --no-cache}; a cache file that
 * cannot be used costs one warning and is rebuilt; concurrent runs leave a readable cache.
 */
class DepmodCacheTest {
    private static final String PCI_ALIAS = "alias=pci:";

    @TempDir
    Path base;
    @TempDir
    Path cacheDir;

    private Path tree;
    private String version;

    @BeforeEach
    void linkTree() throws IOException {
        Path corpus = Corpus.cloud();
        version = Corpus.version(corpus);
        tree = Corpus.linkedCopy(corpus, version, base);
    }

    @AfterEach
    void removeLinks() {
        Corpus.removeCopy(base);
    }

    /** Our depmod on the tree with the test's cache directory; {@code extra} before the version. */
    private Processes.Result depmod(String... extra) {
        return depmodIn(base, extra);
    }

    /** The same on the tree below {@code root}. */
    private Processes.Result depmodIn(Path root, String... extra) {
        List<String> args = new ArrayList<>(List.of("-b", root.toString()));
        args.addAll(List.of(extra));
        args.add(version);
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.put("MODTOOLS_CACHE_DIR", cacheDir.toString());
        return Tool.ours("depmod", args, inv -> Main.run("depmod", new Invocation(inv.argv0(), inv.program(),
                inv.args(), inv.out(), inv.err(), inv.cwd(), inv.kernelRelease(), Map.copyOf(env))));
    }

    private Map<String, byte[]> indexes() throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        for (String name : DepmodDifferentialTest.INDEXES) {
            files.put(name, Files.readAllBytes(tree.resolve(name)));
        }
        return files;
    }

    /** A cached run, then a --no-cache run: same indexes, clean stderr. Returns the indexes. */
    private Map<String, byte[]> assertCachedRunIsRight() throws IOException {
        Processes.Result cached = depmod();
        assertEquals("", cached.stderrText());
        assertEquals(0, cached.status());
        Map<String, byte[]> withCache = indexes();
        Processes.Result plain = depmod("--no-cache");
        assertEquals(0, plain.status(), plain.stderrText());
        Map<String, byte[]> without = indexes();
        for (String name : DepmodDifferentialTest.INDEXES) {
            assertArrayEquals(without.get(name), withCache.get(name), name + " differs with the cache");
        }
        return withCache;
    }

    /** The module at {@code relative} as a file of its own, not a link into the corpus. */
    private Path ownCopy(String relative) throws IOException {
        Path module = tree.resolve(relative);
        Path real = module.toRealPath();
        Files.delete(module);
        Files.copy(real, module);
        return module;
    }

    /** Files changed within the last second are not cached (they are "racily clean"); wait it out. */
    private static void waitPastRacyWindow() throws InterruptedException {
        Thread.sleep(1200);
    }

    private String moduleWithAlias() throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".ko")).sorted()::iterator) {
                if (aliasAt(Files.readAllBytes(p)) >= 0) {
                    return tree.relativize(p).toString();
                }
            }
        }
        throw new IllegalStateException("no module with a PCI alias in the corpus");
    }

    /** Where the first PCI alias's value starts in a module's bytes, or -1. */
    private static int aliasAt(byte[] module) {
        int at = new String(module, StandardCharsets.ISO_8859_1).indexOf(PCI_ALIAS);
        return at < 0 ? -1 : at + PCI_ALIAS.length();
    }

    /** Rewrites one byte of the module's first PCI alias in place: same size, other facts. */
    private static void changeAliasInPlace(Path module) throws IOException {
        byte[] bytes = Files.readAllBytes(module);
        int at = aliasAt(bytes);
        try (RandomAccessFile f = new RandomAccessFile(module.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes[at] == 'q' ? 'z' : 'q');
        }
    }

    @Test
    void touchedModule() throws Exception {
        Path module = ownCopy(moduleWithAlias());
        waitPastRacyWindow();
        assertCachedRunIsRight();
        Files.setLastModifiedTime(module, FileTime.fromMillis(System.currentTimeMillis()));
        assertCachedRunIsRight();
    }

    /** Same size, mtime put back: only the ctime tells, and the changed alias must show. */
    @Test
    void moduleRewrittenInPlaceWithItsMtimeRestored() throws Exception {
        Path module = ownCopy(moduleWithAlias());
        waitPastRacyWindow();
        Map<String, byte[]> before = assertCachedRunIsRight();
        FileTime mtime = Files.getLastModifiedTime(module);
        long size = Files.size(module);
        changeAliasInPlace(module);
        Files.setLastModifiedTime(module, mtime);
        assertEquals(size, Files.size(module));
        Map<String, byte[]> after = assertCachedRunIsRight();
        assertNotEquals(new String(before.get("modules.alias"), StandardCharsets.ISO_8859_1),
                new String(after.get("modules.alias"), StandardCharsets.ISO_8859_1), "the change is not visible");
    }

    /** A new file renamed over the module (a new inode), same size and mtime as the old one. */
    @Test
    void moduleReplacedByRename() throws Exception {
        Path module = ownCopy(moduleWithAlias());
        waitPastRacyWindow();
        Map<String, byte[]> before = assertCachedRunIsRight();
        Path replacement = module.resolveSibling("replacement.tmp");
        Files.copy(module, replacement, StandardCopyOption.COPY_ATTRIBUTES);
        changeAliasInPlace(replacement);
        Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(module));
        Files.move(replacement, module, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Map<String, byte[]> after = assertCachedRunIsRight();
        assertFalse(java.util.Arrays.equals(before.get("modules.alias"), after.get("modules.alias")));
    }

    @Test
    void addedRemovedAndRenamedModules() throws Exception {
        String withAlias = moduleWithAlias();
        assertCachedRunIsRight();
        Path added = tree.resolve("extra/added_copy.ko");
        Files.createDirectories(added.getParent());
        Files.copy(tree.resolve(withAlias).toRealPath(), added);
        assertTrue(new String(assertCachedRunIsRight().get("modules.dep"), StandardCharsets.ISO_8859_1)
                .contains("extra/added_copy.ko:"));
        Files.delete(tree.resolve(withAlias));
        assertFalse(new String(assertCachedRunIsRight().get("modules.dep"), StandardCharsets.ISO_8859_1)
                .contains(withAlias + ":"));
        Files.move(added, added.resolveSibling("renamed_copy.ko"));
        String dep = new String(assertCachedRunIsRight().get("modules.dep"), StandardCharsets.ISO_8859_1);
        assertTrue(dep.contains("extra/renamed_copy.ko:"));
        assertFalse(dep.contains("extra/added_copy.ko:"));
    }

    /** An unchanged tree: the cache is used as it is, not written again. */
    @Test
    void unchangedTreeLeavesTheCacheAlone() throws Exception {
        waitPastRacyWindow();
        assertCachedRunIsRight();
        Path file = onlyCacheFile();
        FileTime written = Files.getLastModifiedTime(file);
        Thread.sleep(20);
        assertCachedRunIsRight();
        assertEquals(written, Files.getLastModifiedTime(file));
    }

    /**
     * The level-34 cache file of builds that streamed zstd has another name, which no build
     * reads any more: the first cache written removes it, and nothing else in the directory.
     */
    @Test
    void theSupersededCacheFileIsRemoved() throws Exception {
        assertCachedRunIsRight();
        Path current = onlyCacheFile();
        String name = current.getFileName().toString();
        assertTrue(name.endsWith("-oneshot.facts"), name);
        Path superseded = cacheDir.resolve(name.replace("-oneshot.facts", ".facts"));
        Path unrelated = cacheDir.resolve("depmod-0123456789abcdef.facts");
        Files.copy(current, superseded);
        Files.copy(current, unrelated);
        Files.delete(current);
        assertCachedRunIsRight();
        assertFalse(Files.exists(superseded), superseded + " is left");
        assertTrue(Files.exists(unrelated), unrelated + " was removed");
        assertTrue(Files.exists(current), current + " was not written");
    }

    /**
     * mkinitramfs runs depmod on a temporary copy of the tree each time: the next run that
     * writes a cache removes the files of directories that are gone, and only those.
     */
    @Test
    void cacheFilesOfDirectoriesThatAreGoneAreRemoved(@TempDir Path gone, @TempDir Path kept) throws Exception {
        Path corpus = Corpus.cloud();
        for (Path root : List.of(gone, kept)) {
            Corpus.linkedCopy(corpus, version, root);
            Processes.Result r = depmodIn(root);
            assertEquals(0, r.status(), r.stderrText());
        }
        Path notOurs = Files.writeString(cacheDir.resolve("depmod-0000000000000000.facts"), "not a fact cache");
        List<Path> before = cacheFiles();
        assertEquals(3, before.size(), before.toString());
        Corpus.removeCopy(gone);
        try {
            assertCachedRunIsRight();
        } finally {
            Corpus.removeCopy(kept);
        }
        List<Path> after = cacheFiles();
        assertEquals(3, after.size(), after.toString());
        assertTrue(after.contains(notOurs), after.toString());
        assertEquals(2, after.stream().filter(before::contains).count(), "one of " + before + " is gone: " + after);
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.sorted().toList();
        }
    }

    private Path onlyCacheFile() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    @Test
    void corruptCacheFile() throws Exception {
        assertCacheIgnoredOnce(bytes -> {
            bytes[bytes.length / 2] ^= 0x40;
            return bytes;
        }, "checksum mismatch");
    }

    @Test
    void truncatedCacheFile() throws Exception {
        assertCacheIgnoredOnce(bytes -> java.util.Arrays.copyOf(bytes, bytes.length - 100), "truncated");
    }

    @Test
    void foreignCacheFile() throws Exception {
        assertCacheIgnoredOnce(bytes -> "some other program's data\n".getBytes(StandardCharsets.ISO_8859_1),
                "not a fact cache");
    }

    @Test
    void cacheOfAnotherFormatVersion() throws Exception {
        assertCacheIgnoredOnce(bytes -> {
            bytes[8] = 99;
            return bytes;
        }, "format version 99, not 1");
    }

    private void assertCacheIgnoredOnce(java.util.function.UnaryOperator<byte[]> damage, String reason) throws Exception {
        assertCachedRunIsRight();
        Path file = onlyCacheFile();
        Files.write(file, damage.apply(Files.readAllBytes(file)));
        Processes.Result damaged = depmod();
        assertEquals(0, damaged.status());
        String warning = damaged.stderrText();
        assertEquals(1, warning.lines().count(), warning);
        assertTrue(warning.startsWith("depmod: WARNING: ignoring the fact cache " + file + ": " + reason), warning);
        assertTrue(warning.endsWith("; it is rebuilt\n"), warning);
        Map<String, byte[]> withDamagedCache = indexes();
        depmod("--no-cache");
        Map<String, byte[]> without = indexes();
        for (String name : DepmodDifferentialTest.INDEXES) {
            assertArrayEquals(without.get(name), withDamagedCache.get(name), name);
        }
        assertCachedRunIsRight(); // rebuilt: no warning any more
    }

    @Test
    void unwritableCacheDirectory() throws Exception {
        Path notADirectory = cacheDir.resolve("file");
        Files.writeString(notADirectory, "");
        cacheDir = notADirectory;
        Processes.Result run = depmod();
        assertEquals(0, run.status());
        String stderr = run.stderrText();
        assertTrue(stderr.startsWith("depmod: WARNING: could not write the fact cache " + notADirectory + "/"), stderr);
        assertEquals(1, stderr.lines().count(), stderr);
        Map<String, byte[]> withCache = indexes();
        depmod("--no-cache");
        for (String name : DepmodDifferentialTest.INDEXES) {
            assertArrayEquals(indexes().get(name), withCache.get(name), name);
        }
    }

    @Test
    void noCacheNeitherReadsNorWrites() throws Exception {
        depmod("--no-cache");
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertEquals(0, files.count());
        }
        assertCachedRunIsRight();
        Path file = onlyCacheFile();
        Files.writeString(file, "damaged");
        assertEquals("", depmod("--no-cache").stderrText());
        assertEquals("damaged", Files.readString(file));
    }

    /** Runs at once, each writing the cache after a change: the file left is whole. */
    @Test
    void concurrentRunsLeaveAReadableCache() throws Exception {
        Path module = ownCopy(moduleWithAlias());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                Files.setLastModifiedTime(module, FileTime.fromMillis(System.currentTimeMillis() - round * 5000L));
                List<Future<Processes.Result>> runs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    runs.add(pool.submit(() -> depmod("-n")));
                }
                for (Future<Processes.Result> r : runs) {
                    Processes.Result result = r.get();
                    assertEquals(0, result.status());
                    assertEquals("", result.stderrText());
                }
            }
        } finally {
            pool.shutdown();
        }
        assertCachedRunIsRight();
    }
}

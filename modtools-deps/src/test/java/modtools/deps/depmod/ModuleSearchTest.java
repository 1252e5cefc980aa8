package modtools.deps.depmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.deps.cache.ReadCache;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModuleSearch (with DepmodConfig) against kmod's depmod on small trees. */
class ModuleSearchTest {
    /** Long enough that kmod's debug line "try PATH" prints a part of the external path itself. */
    private static final String LONG = "-directory-with-a-name-long-enough-for-kmods-debug-output";

    @TempDir
    Path tmp;
    DepmodFixture tree;

    @BeforeEach
    void setUp() throws IOException {
        tree = new DepmodFixture(tmp);
    }

    /** Same modules.dep paths, same messages at -vvv, same errors at the default verbosity. */
    private DepmodFixture.OurRun assertSameAsKmod(List<String> configPaths) throws Exception {
        assumeTrue(DepmodFixture.kmodAvailable(), "kmod's depmod is not installed");
        DepmodFixture.KmodRun verbose = tree.kmod(configPaths, "-vvv");
        assertEquals(0, verbose.result().status(), verbose.result().stderrText());
        DepmodFixture.OurRun ours = tree.ours(configPaths);
        assertEquals(verbose.depPaths().stream().sorted().toList(), ours.depPaths());
        assertEquals(DepmodFixture.searchStageMessages(verbose.result().stderrText()), ours.messages());

        DepmodFixture.KmodRun quiet = tree.kmod(configPaths);
        List<String> kmodErrors = Arrays.stream(quiet.result().stderrText().split("\n"))
                .filter(l -> l.startsWith("depmod: ERROR: ")).toList();
        List<String> ourErrors = ours.messages().stream().filter(l -> l.startsWith("depmod: ERROR: ")).toList();
        assertEquals(kmodErrors, ourErrors);
        return ours;
    }

    private String config(String name, String text) throws IOException {
        tree.file("conf/" + name, text);
        return tree.path("conf");
    }

    @Test
    void defaultSearchIsUpdatesOnly() throws Exception {
        tree.modules("kernel/a/foo.ko", "kernel/b/foo.ko", "updates/foo.ko", "extra/foo.ko",
                "updates/x/bar.ko", "updates/y/bar.ko", "updates/z/bar.ko", "kernel/bar.ko",
                "kernel/baz-qux.ko", "extra/baz_qux.ko", "kernel/c/one.ko", "kernel/d/one.ko.xz",
                "kernel/e/one.ko.zst", "extra/two.ko", "extra/sub/two.ko", "weak-updates/three.ko",
                "three.ko");
        DepmodFixture.OurRun ours = assertSameAsKmod(List.of(config("empty.conf", "")));
        assertEquals(List.of(new DepmodConfig.Search(DepmodConfig.Search.Kind.SUBDIR, "updates")), ours.config().searches());
    }

    @Test
    void searchOrderWithBuiltIn() throws Exception {
        tree.modules("kernel/foo.ko", "updates/foo.ko", "extra/foo.ko", "updates/dkms/foo.ko",
                "kernel/bar.ko", "updates/bar.ko", "kernel/baz.ko", "updates/dkms/baz.ko", "other/baz.ko",
                "other/qux.ko", "updates/qux.ko", "kernel/x/quux.ko", "kernel/y/quux.ko");
        assertSameAsKmod(List.of(config("order.conf", "search extra updates/dkms built-in updates\n")));
    }

    @Test
    void searchesFromSeveralLinesAndFiles() throws Exception {
        tree.modules("kernel/foo.ko", "updates/foo.ko", "extra/foo.ko", "kernel/bar.ko", "extra/bar.ko",
                "updates/bar.ko", "zz/bar.ko");
        config("a.conf", "search zz\n");
        assertSameAsKmod(List.of(config("b.conf", "search\nsearch built-in extra\nsearch updates\n")));
    }

    @Test
    void overrides() throws Exception {
        tree.modules("kernel/a/foo.ko", "updates/foo.ko", "extra/foo.ko", "kernel/baz-qux.ko", "updates/baz-qux.ko",
                "kernel/bar.ko", "updates/x/bar.ko", "updates/y/bar.ko", "kernel/e/one.ko.xz", "updates/one.ko",
                "extra/two.ko", "updates/two.ko", "kernel/three.ko", "updates/three.ko");
        assertSameAsKmod(List.of(config("override.conf", String.join("\n",
                "override foo * kernel/a",
                "override baz-qux 6\\.1 kernel",
                "override bar ^5 updates/x",
                "override bar [0-9]+-test$ updates/y",
                "override one 6.1.0-99 kernel/e",
                "override two * extra",
                "override two * updates",
                "override three * kernel extra words",
                "override baz_qux * updates",
                "override foo *",
                "override foo (broken kernel",
                ""))));
    }

    @Test
    void externalDirectories() throws Exception {
        String first = tree.path("first" + LONG);
        String second = tree.path("second" + LONG);
        String relative = "relative" + LONG + LONG;
        tree.modules("kernel/foo.ko", "updates/foo.ko", first + "/foo.ko", second + "/foo.ko",
                "kernel/bar.ko", first + "/sub/bar.ko", second + "/bar.ko", "updates/baz.ko", second + "/baz.ko",
                tmp + "/" + relative + "/baz.ko", tmp + "/" + relative + "/qux.ko", first + "/qux.ko",
                second + "/only.ko", tmp + "/" + relative + "/rel.ko", "updates/rel.ko");
        assertSameAsKmod(List.of(config("external.conf", String.join("\n",
                "search updates external built-in",
                "external * " + first,
                "external 6.1 " + second + " " + tree.path("ignored" + LONG),
                "external ^7 " + tree.path("nomatch" + LONG),
                "external * " + relative,
                "external * " + tree.path("missing" + LONG),
                "external *",
                ""))));
    }

    @Test
    void externalDirectoriesWithoutTheExternalKeyword() throws Exception {
        String ext = tree.path("ext" + LONG);
        tree.modules("kernel/foo.ko", ext + "/foo.ko", "updates/bar.ko", ext + "/bar.ko", ext + "/only.ko");
        assertSameAsKmod(List.of(config("external.conf", "external * " + ext + "/\n")));
    }

    @Test
    void excludesAndSkippedNames() throws Exception {
        tree.modules("kernel/skipme/a.ko", "updates/skipme/b.ko", "kernel/x/foo.ko", "kernel/drv/c.ko",
                "kernel/build/d.ko", "build/e.ko", "source/f.ko", "kernel/source/g.ko", "kernel/builds/h.ko",
                "kernel/skip/i.ko", "kernel/j.ko");
        assertSameAsKmod(List.of(config("exclude.conf", "exclude skipme foo.ko kernel/drv\nexclude\nexclude skip\n")));
    }

    @Test
    void oddEntries() throws Exception {
        String outside = tree.path("outside");
        tree.modules("kernel/a/foo.ko", "kernel/.hidden.ko", "kernel/.ko", "kernel/dir.ko/inner.ko", "kernel/v.KO",
                "kernel/u.ko.bak", "kernel/w.ko.gz.ko", "kernel/t.o.ko", outside + "/linked.ko", outside + "/dir/deep.ko");
        Path kernel = Path.of(tree.moduleDirectory, "kernel");
        Files.createSymbolicLink(kernel.resolve("l1.ko"), Path.of(outside, "linked.ko"));
        Files.createSymbolicLink(kernel.resolve("ldir"), Path.of(outside, "dir"));
        Files.createSymbolicLink(kernel.resolve("dangling.ko"), Path.of("/nonexistent/x.ko"));
        Files.createSymbolicLink(kernel.resolve("dangling"), Path.of("/nonexistent"));
        DepmodFixture.run(List.of("mkfifo", kernel.resolve("fifo.ko").toString(), kernel.resolve("a/fifo").toString()), tmp);
        assertSameAsKmod(List.of(config("empty.conf", "")));
    }

    @Test
    void realTree() throws Exception {
        assumeTrue(DepmodFixture.kmodAvailable(), "kmod's depmod is not installed");
        Path corpus = Corpus.cloud();
        String version;
        try (var versions = Files.list(corpus.resolve("lib/modules"))) {
            version = versions.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
        String empty = Files.createDirectories(tmp.resolve("no-config")).toString();
        // -n writes the indexes to stdout, modules.dep first, and leaves the cache alone
        Processes.Result kmod = DepmodFixture.run(List.of(DepmodFixture.DEPMOD, "-n", "-b", corpus.toString(),
                "-C", empty, version), tmp);
        assertEquals(0, kmod.status(), kmod.stderrText());
        List<String> expected = kmod.stdoutText().lines().takeWhile(l -> !l.startsWith("#"))
                .map(l -> l.substring(0, l.indexOf(':'))).sorted().toList();
        DepmodConfig config = DepmodConfig.load(KmodLevel.KMOD30, List.of(empty), version, tmp, (l, m) -> { }, ReadCache.NONE);
        List<String> found = ModuleSearch.search(corpus + "/lib/modules/" + version, config, tmp, (l, m) -> { })
                .stream().map(ModuleSearch.FoundModule::relpath).sorted().toList();
        assertTrue(expected.size() > 1000, "modules in the corpus: " + expected.size());
        assertEquals(expected, found);
    }

    @Test
    void pathsBeyondPathMax() throws Exception {
        tree.modules("kernel/foo.ko", "kernel/bar.ko", "updates/baz.ko");
        Path sample = Path.of(tree.moduleDirectory, "kernel/foo.ko");
        // deeper than PATH_MAX, built step by step as no single path may be that long
        String level = "d".repeat(250);
        String script = "cd updates && for i in $(seq 17); do mkdir " + level + " && cd -P " + level + " || exit 1; done"
                + " && cp " + sample + " foo.ko && cp " + sample + " baz.ko && cp " + sample + " bar.ko";
        Processes.Result r = DepmodFixture.run(List.of("bash", "-c", script), Path.of(tree.moduleDirectory));
        try {
            assertEquals(0, r.status(), r.stderrText());
            DepmodFixture.OurRun ours = assertSameAsKmod(List.of(config("empty.conf", "")));
            assertTrue(ours.messages().stream().anyMatch(m -> m.endsWith("foo.ko: File name too long")));
        } finally {
            // rm removes what the JDK cannot reach by path
            DepmodFixture.run(List.of("rm", "-rf", level), Path.of(tree.moduleDirectory, "updates"));
        }
    }

    @Test
    void verboseSearchPrintsNothingOnStdout() throws Exception {
        assumeTrue(DepmodFixture.kmodAvailable(), "kmod's depmod is not installed");
        tree.modules("kernel/foo.ko", "updates/foo.ko", "kernel/bar.ko");
        DepmodFixture.KmodRun run = tree.kmod(List.of(config("o.conf", "override foo * kernel\n")), "-v");
        assertEquals("", run.result().stdoutText());
    }

    @Test
    void missingModuleDirectoryFails() throws Exception {
        Files.delete(Path.of(tree.moduleDirectory));
        List<String> messages = new ArrayList<>();
        DepmodConfig config = DepmodConfig.load(KmodLevel.KMOD30, List.of(), DepmodFixture.VERSION, tmp, (l, m) -> { }, ReadCache.NONE);
        ModuleSearch.UnreadableDirectoryException e = assertThrows(ModuleSearch.UnreadableDirectoryException.class,
                () -> ModuleSearch.search(tree.moduleDirectory, config, tmp, (l, m) -> messages.add(l + " " + m)));
        assertEquals("No such file or directory", e.reason());
        assertEquals(List.of("ERROR could not open directory " + tree.moduleDirectory + ": No such file or directory"),
                messages);
        if (DepmodFixture.kmodAvailable()) {
            DepmodFixture.KmodRun kmod = tree.kmod(List.of(tree.path("no-config")));
            assertEquals("depmod: ERROR: could not open directory " + tree.moduleDirectory
                    + ": No such file or directory\ndepmod: FATAL: could not search modules: No such file or directory\n",
                    kmod.result().stderrText());
        }
    }

    @Test
    void gzipModulesCountUnlikeDebiansKmod() throws Exception {
        tree.modules("kernel/foo.ko", "updates/foo.ko.gz", "kernel/bar.ko.gz");
        DepmodFixture.OurRun ours = tree.ours(List.of());
        assertEquals(List.of("kernel/bar.ko.gz", "updates/foo.ko.gz"), ours.depPaths());
    }

    @Test
    void symbolicLinkLoopsEndWithAnError() throws Exception {
        tree.modules("kernel/a/foo.ko", "updates/bar.ko");
        Files.createSymbolicLink(Path.of(tree.moduleDirectory, "kernel/a/loop"), Path.of("../.."));
        Files.createSymbolicLink(Path.of(tree.moduleDirectory, "updates/uloop"), Path.of(".."));
        DepmodFixture.OurRun ours = tree.ours(List.of());
        assertEquals(List.of("kernel/a/foo.ko", "updates/bar.ko"), ours.depPaths());
        assertEquals(List.of(
                "depmod: ERROR: openat(4, uloop, O_RDONLY): Too many levels of symbolic links",
                "depmod: ERROR: openat(5, loop, O_RDONLY): Too many levels of symbolic links"),
                ours.messages().stream().filter(m -> m.contains("ERROR")).distinct().sorted().toList());
    }

    @Test
    void modulesComeInHashInsertionOrder() throws Exception {
        tree.modules("kernel/foo.ko", "kernel/bar.ko");
        tree.modules("updates/foo.ko");
        List<String> order = new ArrayList<>();
        walkOrder(Path.of(tree.moduleDirectory), order);
        // updates/foo.ko beats kernel/foo.ko; a replacement is removed and added again, so it goes last
        List<String> expected = new ArrayList<>();
        for (String p : order) {
            if (p.equals("kernel/foo.ko") && expected.contains("updates/foo.ko")) {
                continue;
            }
            expected.remove("kernel/foo.ko");
            expected.add(p);
        }
        List<String> found = tree.ours(List.of()).modules().stream().map(ModuleSearch.FoundModule::relpath).toList();
        assertEquals(expected, found);
    }

    /** Module files in readdir order, as `ls -f` lists each directory. */
    private void walkOrder(Path dir, List<String> out) {
        String listing = DepmodFixture.run(List.of("ls", "-f", dir.toString()), tmp).stdoutText();
        for (String name : listing.split("\n")) {
            Path p = dir.resolve(name);
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                walkOrder(p, out);
            } else if (name.endsWith(".ko")) {
                out.add(Path.of(tree.moduleDirectory).relativize(p).toString());
            }
        }
    }

    @Test
    void directoryStreamsKeepReaddirOrder() throws Exception {
        for (int i = 0; i < 200; i++) {
            Files.createFile(tmp.resolve("f" + i));
        }
        List<String> ls = new ArrayList<>(Arrays.asList(DepmodFixture.run(List.of("ls", "-f", tmp.toString()), tmp)
                .stdoutText().split("\n")));
        ls.removeAll(List.of(".", ".."));
        List<String> java = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp)) {
            s.forEach(p -> java.add(p.getFileName().toString()));
        }
        assertEquals(ls, java);
        assertTrue(!java.stream().sorted().toList().equals(java), "hash order, not sorted");
    }
}

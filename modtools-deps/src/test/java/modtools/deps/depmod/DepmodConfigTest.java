package modtools.deps.depmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.deps.LogicalLines;
import modtools.deps.cache.ReadCache;
import modtools.deps.depmod.DepmodConfig.ModuleOverride;
import modtools.deps.depmod.DepmodConfig.Search;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DepmodConfigTest {
    @TempDir
    Path tmp;

    private final List<String> messages = new ArrayList<>();

    private DepmodConfig load(List<String> paths) {
        return DepmodConfig.load(KmodLevel.KMOD30, paths, DepmodFixture.VERSION, tmp,
                (l, m) -> messages.add(l.label() + ": " + m), ReadCache.NONE);
    }

    private String write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, text.getBytes(StandardCharsets.ISO_8859_1));
        return p.toString();
    }

    @Test
    void directives() throws Exception {
        String file = write("d/a.conf", String.join("\n",
                "search updates built-in external extra",
                "override foo-bar * kernel/drivers",
                "override baz 6\\.1\\.0 extra",
                "override nomatch ^5 extra",
                "external * /opt/a /opt/ignored",
                "external ^99 /opt/b",
                "external 99 /opt/c",
                "exclude x y",
                ""));
        DepmodConfig c = load(List.of(file));
        assertEquals(List.of(new Search(Search.Kind.SUBDIR, "updates"), new Search(Search.Kind.BUILT_IN, null),
                new Search(Search.Kind.EXTERNAL, null), new Search(Search.Kind.SUBDIR, "extra")), c.searches());
        assertEquals(List.of(new ModuleOverride("foo-bar", "kernel/drivers"), new ModuleOverride("baz", "extra")),
                c.overrides());
        assertEquals("kernel/drivers/foo-bar", c.overrides().get(0).path());
        assertEquals(List.of("/opt/a", "/opt/c"), c.externals(), "a pattern matches anywhere in the version");
        assertEquals(List.of("x", "y"), c.excludes());
        assertEquals(List.of(
                "DEBUG: search add: updates, search type=0",
                "DEBUG: search add: built-in, search type=1",
                "DEBUG: search add: external, search type=2",
                "DEBUG: search add: extra, search type=0",
                "DEBUG: override add: kernel/drivers/foo-bar",
                "DEBUG: override add: extra/baz",
                "INFO: " + file + ":4: override kernel did not match ^5",
                "DEBUG: external add: /opt/a",
                "INFO: " + file + ":6: external directory did not match ^99",
                "DEBUG: external add: /opt/c",
                "DEBUG: exclude add: x",
                "DEBUG: exclude add: y"), messages);
    }

    @Test
    void withoutSearchLinesOnlyUpdates() {
        DepmodConfig c = load(List.of(tmp.resolve("none").toString()));
        assertEquals(List.of(new Search(Search.Kind.SUBDIR, "updates")), c.searches());
        assertEquals(List.of("DEBUG: could not stat '" + tmp.resolve("none") + "': No such file or directory",
                "DEBUG: search add: updates, search type=0"), messages);
    }

    @Test
    void linesAsFreadlineWrappedReadsThem() {
        byte[] text = "search a\\\nb c\\d\n\n  # x\r\nlast\\".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(List.of(new LogicalLines.Line("search ab cd", 2), new LogicalLines.Line("", 3),
                new LogicalLines.Line("  # x\r", 4), new LogicalLines.Line("last\u00ff", 5)), LogicalLines.of(text));
        assertEquals(List.of(new LogicalLines.Line("a", 2)), LogicalLines.of("a\\\n".getBytes(StandardCharsets.ISO_8859_1)));
        // kmod 34 drops a backslash that ends the file; kmod 30 stores getc's EOF in its place
        assertEquals(List.of(new LogicalLines.Line("last", 1)),
                LogicalLines.of("last\\".getBytes(StandardCharsets.ISO_8859_1), KmodLevel.KMOD34));
        assertEquals(List.of(new LogicalLines.Line("ab", 1)), LogicalLines.of("ab\0cd\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(List.of("a", "b\r", "c"), ConfigWords.words(" \ta  b\r\tc "));
    }

    /** Files from several -C paths, and every kind of bad line, against kmod's messages at -vvv. */
    @Test
    void filesAndMessagesAsKmod() throws Exception {
        assumeTrue(DepmodFixture.kmodAvailable(), "kmod's depmod is not installed");
        DepmodFixture tree = new DepmodFixture(tmp.resolve("t"));
        tree.modules("kernel/foo.ko", "updates/foo.ko", "extra/foo.ko", "kernel/bar.ko", "extra/bar.ko");
        tree.file("c1/b.conf", "search extra\n");
        tree.file("c1/a.conf", String.join("\n",
                "# comment",
                "  # indented comment is a bad line",
                "\t",
                "bogus words",
                "override foo",
                "override foo *",
                "external 6",
                "include /etc/other.conf",
                "make_map_files",
                "search",
                "search up\\",
                "dates",
                "bad\\\\",
                "continued\\",
                "line\r",
                "exclude build-this",
                "override foo *abc kernel",
                "override foo [[:digit:]]+\\.[[:digit:]] kernel",
                "OVERRIDE foo * kernel",
                "search\tbuilt-in\u00e9",
                "search a\\"));
        tree.file("c1/noconf", "search nothing\n");
        tree.file("c1/.hidden.conf", "search hidden\n");
        tree.file("c1/sub.conf/x.conf", "search sub\n");
        tree.file("c1/subdir/y.conf", "search subdir\n");
        tree.file("c1/.conf", "search dotconf\n");
        tree.file("c2/b.conf", "search shadowed\n");
        tree.file("c2/c.conf", "override bar * kernel\n");
        tree.file("c2/0.conf", "search updates\n");
        tree.file("single/c.conf", "search shadowed-too\n");
        tree.file("single/z.conf", "search extra\n");
        Files.createSymbolicLink(tmp.resolve("t/c2/dangling.conf"), Path.of("/nonexistent.conf"));
        List<String> paths = List.of(tree.path("c1"), tree.path("c2") + "/", tree.path("missing"),
                tree.path("single/c.conf"), "single/z.conf");
        DepmodFixture.KmodRun kmod = tree.kmod(paths, "-vvv");
        DepmodFixture.OurRun ours = tree.ours(paths);
        assertEquals(DepmodFixture.searchStageMessages(kmod.result().stderrText()), ours.messages());
        assertEquals(kmod.depPaths().stream().sorted().toList(), ours.depPaths());

        DepmodFixture.KmodRun quiet = tree.kmod(paths, "-vv");
        List<String> kmodLines = Arrays.stream(quiet.result().stderrText().split("\n"))
                .filter(l -> !l.contains(" ../libkmod/") && !l.startsWith("depmod: WARNING: ")).toList();
        List<String> ourLines = ours.messages().stream().filter(l -> !l.startsWith("depmod: DEBUG: ")).toList();
        assertEquals(kmodLines, ourLines);
    }
}

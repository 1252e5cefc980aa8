package modtools.cli.installed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import modtools.testkit.Served;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install: into a staging root (--destdir) every file lands where the FHS layout puts it
 * under /usr/local and nothing else is written; the installed commands answer as the
 * checkout's on Debian's cloud tree; installed for good (--prefix) the class-data archive is
 * made at install time and a user's call writes nothing; systemd accepts the unit; man renders
 * every page.
 */
class InstallTest {
    static final List<String> COMMANDS = List.of("insmod", "rmmod", "modprobe", "depmod", "modinfo", "lsmod");
    static final List<String> PAGES = List.of("man1/modtools-link.1", "man5/modfs.5", "man7/modtools-sdk.7",
            "man8/modtools.8", "man8/modtools-insmod.8", "man8/modtools-rmmod.8", "man8/modtools-modprobe.8",
            "man8/modtools-depmod.8", "man8/modtools-modinfo.8", "man8/modtools-lsmod.8");

    @TempDir
    static Path tmp;
    private static Path destdir;
    private static Path staged;
    /** What the install wrote, taken before any test runs the staged commands. */
    private static Map<String, String> stagedEntries;
    private static Path tree;
    private static String version;

    @BeforeAll
    static void install() throws IOException {
        destdir = tmp.resolve("stage");
        Scripts.script("install", "--destdir", destdir.toString());
        staged = destdir.resolve("usr/local");
        stagedEntries = entries(destdir);
        Path corpus = Corpus.cloud();
        version = Corpus.version(corpus);
        tree = tmp.resolve("tree");
        Corpus.linkedCopy(corpus, version, tree);
    }

    @AfterAll
    static void removeLinks() {
        Corpus.removeCopy(tree);
    }

    @Test
    void everyFileWhereItBelongs() throws IOException {
        Map<String, String> want = new TreeMap<>();
        want.put("usr/local/bin/modtools", "-> ../lib/modtools/modtools");
        want.put("usr/local/lib/modtools/modtools", "file");
        want.put("usr/local/lib/modtools/modtools.jar", "file");
        want.put("usr/local/lib/modtools/modtools-client", "file");
        want.put("usr/local/lib/modtools/make-archive", "file");
        for (String c : COMMANDS) {
            want.put("usr/local/lib/modtools/bin/" + c, "-> ../modtools");
        }
        want.put("usr/local/lib/systemd/system/modfs.service", "file");
        want.put("usr/local/share/bash-completion/completions/modtools", "file");
        for (String page : PAGES) {
            want.put("usr/local/share/man/" + page, "file");
        }
        try (Stream<Path> sdk = Files.walk(Scripts.REPO.resolve("sdk"))) {
            for (Path p : sdk.filter(Files::isRegularFile).toList()) {
                want.put("usr/local/lib/modtools/sdk/" + Scripts.REPO.resolve("sdk").relativize(p), "file");
            }
        }
        assertEquals(want, stagedEntries, "files under the staging root (no archive: a package makes it)");
        assertTrue(Files.isExecutable(staged.resolve("lib/modtools/modtools")));
        assertTrue(Files.isExecutable(staged.resolve("lib/modtools/sdk/build-module")));
        assertArrayEquals(Files.readAllBytes(Scripts.REPO.resolve("modtools-cli/target/modtools.jar")),
                Files.readAllBytes(staged.resolve("lib/modtools/modtools.jar")));
        String unit = Files.readString(staged.resolve("lib/systemd/system/modfs.service"));
        assertTrue(unit.contains("ExecStart=/usr/local/bin/modtools modfs mount /run/modfs\n"), unit);
        assertTrue(unit.contains("PIDFile=/run/modfs.pid\n"), unit);
    }

    /** modinfo by file, by name and as JSON, and depmod's files, from the installed launcher, its link and the checkout's. */
    @Test
    void installedModinfoAndDepmodAnswerAsTheCheckout() throws IOException {
        for (List<String> call : calls()) {
            Processes.Result checkout = Scripts.run(with(Scripts.LAUNCHER.toString(), call));
            assertSame(checkout, Scripts.run(with(staged.resolve("bin/modtools").toString(), call)), call);
            List<String> byLink = new ArrayList<>(List.of(staged.resolve("lib/modtools/bin/" + call.get(0)).toString()));
            byLink.addAll(call.subList(1, call.size()));
            assertSame(checkout, Scripts.run(byLink), byLink);
        }
        Processes.Result depmod = Scripts.ok(staged.resolve("bin/modtools").toString(), "depmod", "-b", tree.toString(),
                version);
        assertEquals("", depmod.stderrText());
        assertTrue(Files.size(tree.resolve("lib/modules/" + version + "/modules.dep.bin")) > 0);
    }

    /**
     * The installed launcher hands the same calls to a resident server of the installed jar
     * through the installed client, and they answer as the checkout's too.
     */
    @Test
    void installedClientServesTheSameAnswers() throws IOException {
        try (Served server = Served.start(staged.resolve("lib/modtools/modtools.jar"), "", Map.of())) {
            for (List<String> call : calls()) {
                Processes.Result served = Processes.run(Scripts.REPO, with(staged.resolve("bin/modtools").toString(), call),
                        server.environment(Map.of()), 600);
                assertSame(Scripts.run(with(Scripts.LAUNCHER.toString(), call)), served, call);
            }
        }
    }

    private static List<List<String>> calls() throws IOException {
        List<String> files = Corpus.modules(tree, ".ko");
        List<List<String>> calls = new ArrayList<>();
        calls.add(List.of("modinfo", files.get(0), files.get(files.size() / 2), files.get(files.size() - 1)));
        calls.add(List.of("modinfo", "-b", tree.toString(), "-k", version, "vxlan", "ext4", "nonexistent"));
        calls.add(List.of("modinfo", "--json", "-b", tree.toString(), "-k", version, "xfs"));
        calls.add(List.of("depmod", "-n", "-b", tree.toString(), version));
        return calls;
    }

    /**
     * Installed for good: the archive is made by the install and names the installed jar, the
     * JVM maps it (-Xshare:on fails otherwise), and a call leaves the directory as it was.
     */
    @Test
    void archiveMadeAtInstallTime() throws IOException {
        Path prefix = tmp.resolve("prefix");
        Scripts.script("install", "--prefix", prefix.toString());
        Path lib = prefix.resolve("lib/modtools");
        assertEquals(lib.resolve("modtools.jar").toString(), Files.readString(lib.resolve("modtools.jsa.jar")).strip());
        Scripts.ok("java", "-XX:SharedArchiveFile=" + lib.resolve("modtools.jsa"), "-Xshare:on",
                "-cp", lib.resolve("modtools.jar").toString(), "modtools.cli.Main", "modinfo", "--version");
        Map<String, String> before = entries(lib);
        Map<String, Long> times = times(lib);
        Scripts.ok(prefix.resolve("bin/modtools").toString(), "modinfo", "-b", tree.toString(), "-k", version, "vxlan");
        assertEquals(before, entries(lib));
        assertEquals(times, times(lib));
    }

    @Test
    void systemdAcceptsTheUnit() {
        Path prefix = tmp.resolve("unit-prefix");
        Scripts.script("install", "--prefix", prefix.toString());
        Processes.Result r = Scripts.run("env", "MANPATH=" + prefix.resolve("share/man"), "systemd-analyze", "verify",
                prefix.resolve("lib/systemd/system/modfs.service").toString());
        assertEquals(0, r.status(), r.stderrText());
        assertEquals("", r.stderrText());
    }

    @Test
    void manRendersEveryPage() {
        for (String page : PAGES) {
            Processes.Result r = Scripts.ok("man", "-l", "-P", "cat", staged.resolve("share/man/" + page).toString());
            String name = page.substring(page.indexOf('/') + 1, page.lastIndexOf('.'));
            assertTrue(r.stdoutText().contains("NAME\n       " + name + " - "), page + ":\n" + r.stdoutText());
        }
    }

    private static List<String> with(String program, List<String> call) {
        List<String> command = new ArrayList<>(List.of(program));
        command.addAll(call);
        return command;
    }

    private static void assertSame(Processes.Result want, Processes.Result got, List<String> call) {
        String what = String.join(" ", call.subList(0, Math.min(call.size(), 6)));
        assertEquals(want.stdoutText(), got.stdoutText(), what);
        assertEquals(want.stderrText(), got.stderrText(), what);
        assertEquals(want.status(), got.status(), what);
    }

    /** Every file and link under {@code dir}: "file", or "-> TARGET" for a symbolic link. */
    private static Map<String, String> entries(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) {
                    out.put(dir.relativize(p).toString(), "-> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    out.put(dir.relativize(p).toString(), "file");
                }
            }
        }
        return out;
    }

    private static Map<String, Long> times(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        for (String name : new TreeSet<>(entries(dir).keySet())) {
            out.put(name, Files.getLastModifiedTime(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis());
        }
        return out;
    }
}

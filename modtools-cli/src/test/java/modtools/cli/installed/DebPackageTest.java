package modtools.cli.installed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/package-deb: what dpkg-deb lists, and (as root, as in CI) a real apt-get install of
 * the package and its removal, after which the system is as it was and kmod's modprobe was
 * never touched.
 */
class DebPackageTest {
    /** Where a package may leave a trace; compared by name before the install and after the removal. */
    private static final List<String> WATCHED = List.of("/usr/bin", "/usr/sbin", "/usr/lib/modtools",
            "/usr/lib/systemd/system", "/lib/systemd/system", "/etc", "/usr/share/man/man8", "/usr/share/man/man5",
            "/usr/share/man/man7", "/usr/share/man/man1", "/usr/share/bash-completion/completions",
            "/usr/share/doc/modtools", "/var/lib/dpkg/info");
    private static final Path KMOD_MODPROBE = Path.of("/sbin/modprobe");

    @TempDir
    static Path tmp;
    private static Path deb;

    @BeforeAll
    static void build() {
        String path = Scripts.script("package-deb", tmp.toString()).stdoutText().strip();
        deb = Path.of(path);
        String arch = Scripts.ok("dpkg", "--print-architecture").stdoutText().strip();
        assertEquals(tmp.resolve("modtools_0.1.0_" + arch + ".deb"), deb);
    }

    @AfterAll
    static void removeIfLeft() {
        if (Scripts.root() && installed()) {
            apt("remove");
        }
    }

    @Test
    void dpkgDebListsWhatIsPromised() {
        String info = Scripts.ok("dpkg-deb", "--info", deb.toString()).stdoutText();
        assertTrue(info.contains(" Package: modtools\n"), info);
        assertTrue(info.contains(" Depends: java17-runtime-headless, fuse3\n"), info);
        assertTrue(info.matches("(?s).* Architecture: (amd64|arm64|[a-z0-9]+)\n.*"), info);
        assertTrue(info.contains(" postinst ") && info.contains(" prerm "), info);
        String contents = Scripts.ok("dpkg-deb", "--contents", deb.toString()).stdoutText();
        List<String> promised = new java.util.ArrayList<>(List.of("./usr/bin/modtools -> ../lib/modtools/modtools",
                "./usr/lib/modtools/modtools", "./usr/lib/modtools/modtools.jar", "./usr/lib/modtools/modtools-client",
                "./usr/lib/modtools/make-archive",
                "./usr/lib/modtools/sdk/include/modfs/module.h", "./usr/lib/modtools/sdk/build-module",
                "./usr/lib/systemd/system/modfs.service", "./usr/share/bash-completion/completions/modtools"));
        for (String c : InstallTest.COMMANDS) {
            promised.add("./usr/lib/modtools/bin/" + c + " -> ../modtools");
        }
        for (String page : InstallTest.PAGES) {
            promised.add("./usr/share/man/" + page + ".gz");
        }
        for (String p : promised) {
            assertTrue(contents.contains(" " + p + "\n"), p + " missing from:\n" + contents);
        }
        for (String kmodFile : List.of("/sbin/", "/bin/", "/usr/sbin/", "/lib/modprobe.d", "/etc/")) {
            assertFalse(contents.contains(" ." + kmodFile), kmodFile + " in the package:\n" + contents);
        }
    }

    /**
     * apt-get install ./modtools_….deb, then apt-get remove modtools. Only as root (CI), and not
     * where a modtools package is installed already, which this would replace and then remove.
     */
    @Test
    void aptInstallsAndRemovesLeavingTheSystemAsItWas() throws IOException {
        assumeTrue(Scripts.root(), "installing a package needs root");
        assumeTrue(!installed(), "a modtools package is installed here already");
        Set<String> before = snapshot();
        String modprobe = digest(KMOD_MODPROBE);

        apt("install", deb.toString());
        assertEquals(modprobe, digest(KMOD_MODPROBE), "kmod's /sbin/modprobe changed by the install");
        assertEquals("/usr/share/man/man8/modtools-modprobe.8.gz\n",
                Scripts.ok("man", "-w", "modtools-modprobe").stdoutText());
        assertTrue(Files.isRegularFile(Path.of("/usr/lib/modtools/modtools.jsa")), "postinst made no archive");
        assertEquals(Scripts.ok(Scripts.LAUNCHER.toString(), "modinfo", "--version").stdoutText(),
                Scripts.ok("/usr/bin/modtools", "modinfo", "--version").stdoutText());
        assertEquals(Scripts.ok("/usr/lib/modtools/bin/modprobe", "-V").stdoutText(),
                Scripts.ok("/usr/bin/modtools", "modprobe", "-V").stdoutText());

        ProcessHandle server = startServer();

        apt("remove");
        assertTrue(server.onExit().orTimeout(30, TimeUnit.SECONDS).handle((h, e) -> e == null).join(),
                "the package's resident server outlived its removal");
        assertEquals(modprobe, digest(KMOD_MODPROBE), "kmod's /sbin/modprobe changed by the removal");
        assertFalse(installed());
        assertEquals(before, snapshot());
    }

    /**
     * A served call of the installed tool starts a resident server of the package's jar (in a
     * directory of the test's, not root's /run/modtools/server); returns it.
     */
    private static ProcessHandle startServer() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("server"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.put("MODTOOLS_SERVER", "on");
        env.put("MODTOOLS_SERVER_DIR", dir.toString());
        Processes.Result r = Processes.run(Scripts.REPO, List.of("/usr/bin/modtools", "modinfo", "--version"), env, 120);
        assertEquals(0, r.status(), r.stderrText());
        String command = "/usr/lib/modtools/modtools.jar modtools.cli.Main server --dir " + dir;
        return ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(command)).findFirst()
                .orElseThrow(() -> new AssertionError("no server started: " + command));
    }

    /** Read as prerm reads it: ProcessHandle.Info leaves out a long command line's arguments. */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.ISO_8859_1).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // gone meanwhile
        }
    }

    private static void apt(String action, String... packages) {
        List<String> command = new java.util.ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get",
                "-y", "-q", "-o", "DPkg::Lock::Timeout=300", action));
        command.addAll(packages.length == 0 ? List.of("modtools") : List.of(packages));
        Processes.Result r = Scripts.run(command);
        assertEquals(0, r.status(), "apt-get " + action + ":\n" + r.stdoutText() + r.stderrText());
    }

    private static boolean installed() {
        return Scripts.run("dpkg-query", "-W", "-f", "${Status}", "modtools").stdoutText().equals("install ok installed");
    }

    private static Set<String> snapshot() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String dir : WATCHED) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                names.add(dir + (Files.exists(d, LinkOption.NOFOLLOW_LINKS) ? " (not a directory)" : " (none)"));
                continue;
            }
            try (Stream<Path> s = Files.walk(d)) {
                s.forEach(p -> names.add(p.toString()));
            }
        }
        return names;
    }

    private static String digest(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package modtools.cli.installed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * modfs for a user: uid 65534 in the fuse group mounts modfs in a directory of its own (through
 * fusermount3), loads an SDK example, lists and removes it, and unmounts; another uid can
 * neither load into the mount, read it, nor unmount it. The tool is installed into the test's
 * directory first, since the checkout may be where the user cannot read. Switching uid takes
 * root, so elsewhere this is skipped.
 */
class ModfsWithoutRootTest {
    private static final String USER = "65534";
    private static final String OTHER = "65533";
    private static final String RELEASE = "1.0.0-modfs";

    private static Path work;
    private static Path mount;
    private static Path modtools;
    private static Path module;
    private static String fuseGroup;

    @BeforeAll
    static void setUp() throws IOException {
        assumeTrue(Scripts.root(), "running as another uid needs root");
        Processes.Result group = Scripts.run("getent", "group", "fuse");
        assertEquals(0, group.status(), "no fuse group: run scripts/install-test-deps");
        fuseGroup = group.stdoutText().split(":")[2];
        String device = Scripts.ok("stat", "-c", "%G %A", "/dev/fuse").stdoutText().strip();
        assertTrue(device.matches("fuse .{4}rw.*"), "/dev/fuse is " + device + ", not rw for the fuse group: run "
                + "scripts/install-test-deps");
        work = Files.createTempDirectory("modfs-user", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Scripts.script("install", "--prefix", work.resolve("usr").toString());
        modtools = work.resolve("usr/bin/modtools");
        Path tree = work.resolve("tree");
        Scripts.ok(work.resolve("usr/lib/modtools/sdk/examples/build-all").toString(), tree.toString(), RELEASE);
        Scripts.ok(modtools.toString(), "depmod", "-b", tree.toString(), RELEASE);
        module = tree.resolve("lib/modules/" + RELEASE + "/extra/modfs_demo_lib.ko");
        Path home = Files.createDirectories(work.resolve("home"));
        mount = Files.createDirectories(home.resolve("modfs"));
        Scripts.ok("chown", "-R", USER + ":" + USER, home.toString());
        Scripts.ok("chmod", "-R", "a+rX", work.toString());
    }

    @AfterAll
    static void cleanUp() {
        if (work == null) {
            return;
        }
        if (mounted()) {
            Scripts.run("umount", "-l", mount.toString());
        }
        Scripts.run("rm", "-rf", work.toString());
    }

    @Test
    void aUserMountsLoadsListsRemovesAndUnmounts() throws IOException {
        as(USER, "modfs", "mount", mount.toString());
        String line = mountinfoLine();
        assertTrue(line.contains(" - fuse.modfs modfs ") && line.contains("user_id=" + USER + ","), line);
        assertTrue(!line.contains("allow_other"), line);

        as(USER, "insmod", "--modfs", mount.toString(), module.toString());
        String table = as(USER, "lsmod", "--modfs", mount.toString()).stdoutText();
        assertTrue(table.matches("Module +Size +Used by\nmodfs_demo_lib +\\d+ +0\n"), table);

        String denied = mount + ": not a usable modfs: " + mount + "/version: Permission denied\n";
        assertEquals("insmod: ERROR: " + denied, refused(OTHER, "insmod", "--modfs", mount.toString(), module.toString()));
        assertEquals("lsmod: ERROR: " + denied, refused(OTHER, "lsmod", "--modfs", mount.toString()));
        assertEquals("rmmod: ERROR: " + denied, refused(OTHER, "rmmod", "--modfs", mount.toString(), "modfs_demo_lib"));
        assertEquals("modtools modfs umount: " + mount + ": Operation not permitted\n",
                refused(OTHER, "modfs", "umount", mount.toString()));
        assertTrue(mounted(), "another uid unmounted the user's modfs");

        as(USER, "rmmod", "--modfs", mount.toString(), "modfs_demo_lib");
        assertEquals("Module                  Size  Used by\n", as(USER, "lsmod", "--modfs", mount.toString()).stdoutText());
        as(USER, "modfs", "umount", mount.toString());
        assertTrue(!mounted(), "still mounted:\n" + mountinfoLine());
    }

    /**
     * A user's depmod (as a kernel developer's {@code make modules_install INSTALL_MOD_PATH=…}
     * runs it) keeps its fact cache in the user's cache directory, not root's, and a user without
     * a usable home runs without one: either way stderr is what a run without a cache prints.
     */
    @Test
    void aUsersDepmodCachesInItsHomeAndWarnsOfNothing() throws IOException {
        Path home = mount.getParent();
        Path tree = home.resolve("tree");
        Scripts.ok("cp", "-r", work.resolve("tree").toString(), tree.toString());
        Scripts.ok("chown", "-R", USER + ":" + USER, tree.toString());
        List<String> depmod = List.of(modtools.toString(), "depmod", "-b", tree.toString(), RELEASE);
        String plain = depmodAs(List.of("HOME=" + home), depmod, "--no-cache").stderrText();
        try {
            assertEquals(plain, depmodAs(List.of("HOME=" + home), depmod).stderrText());
            try (Stream<Path> files = Files.list(home.resolve(".cache/modtools"))) {
                List<String> names = files.map(f -> f.getFileName().toString()).toList();
                assertEquals(1, names.size(), names.toString());
                assertTrue(names.get(0).matches("depmod-[0-9a-f]{16}-oneshot\\.facts"), names.toString());
            }
            assertEquals(plain, depmodAs(List.of("HOME=/nonexistent", "XDG_CACHE_HOME="), depmod).stderrText());
        } finally {
            Scripts.run("rm", "-rf", tree.toString(), home.resolve(".cache").toString());
        }
    }

    /** {@code command} (then {@code extra}) as uid 65534 with {@code env} set; must succeed. */
    private static Processes.Result depmodAs(List<String> env, List<String> command, String... extra) {
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid", USER, "--regid", USER, "--clear-groups",
                "env", "-u", "MODTOOLS_CACHE_DIR"));
        full.addAll(env);
        full.addAll(command.subList(0, 2));
        full.addAll(List.of(extra));
        full.addAll(command.subList(2, command.size()));
        Processes.Result r = Scripts.run(full);
        assertEquals(0, r.status(), String.join(" ", full) + "\n" + r.stderrText());
        return r;
    }

    /** {@code modtools ARGS} as {@code uid} in the fuse group; must succeed. */
    private static Processes.Result as(String uid, String... args) {
        Processes.Result r = Scripts.run(asUser(uid, args));
        assertEquals(0, r.status(), "as uid " + uid + ": modtools " + String.join(" ", args) + "\n" + r.stderrText());
        return r;
    }

    /** What {@code modtools ARGS} says as {@code uid} when it fails, as it must. */
    private static String refused(String uid, String... args) {
        Processes.Result r = Scripts.run(asUser(uid, args));
        assertNotEquals(0, r.status(), "as uid " + uid + ": modtools " + String.join(" ", args) + " succeeded");
        return r.stderrText();
    }

    private static List<String> asUser(String uid, String... args) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid", uid, "--regid", uid, "--groups", fuseGroup,
                "env", "HOME=" + mount.getParent(), modtools.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static boolean mounted() {
        return !mountinfoLine().isEmpty();
    }

    private static String mountinfoLine() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1)) {
                if (line.split(" ")[4].equals(mount.toString())) {
                    return line;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return "";
    }
}

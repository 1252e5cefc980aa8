package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;

/**
 * Debian's mkinitramfs with our tools, served, in place of kmod (scripts/bench-initramfs): the
 * image holds the same files as the one made with kmod, kmod's own binary aside. It runs the
 * launcher, the client and the jar, so Maven runs it after package (the kernel-test execution),
 * and only where initramfs-tools are installed (scripts/install-test-deps installs them) and the
 * test may make a mount namespace (root).
 */
class InitramfsTest {
    private static final int TIMEOUT_SECONDS = 1800;

    @Test
    void servedToolsMakeKmodsImage() {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mkinitramfs")), "initramfs-tools are not installed");
        assumeTrue(Processes.run(List.of("id", "-u")).stdoutText().strip().equals("0"), "not root");
        String script = Corpus.repoRoot().resolve("scripts/bench-initramfs").toString();
        Processes.Result r = Processes.run(null, List.of(script, "--flavour", "cloud", "--no-jvm"), TIMEOUT_SECONDS);
        assertEquals(0, r.status(), "scripts/bench-initramfs failed:\n" + r.stdoutText() + r.stderrText());
        assertTrue(r.stdoutText().contains("contents identical apart from /bin/kmod: yes"), r.stdoutText());
    }
}

package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;

import java.util.List;
import modtools.deps.KmodLevel;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernel test, scripts/test-kernel: our insmod, rmmod, modprobe and lsmod load, list and
 * remove real modules in a real Debian kernel running in QEMU, and kmod's tools in the same
 * machine judge messages and exit codes — at each level, kmod 34.2 or kmod 30. It runs the built launcher and jar, so Maven runs it
 * after package (this module's kernel-test execution). Where QEMU cannot start at all it is
 * skipped, loudly; every other problem, a hung guest included, fails it.
 */
class KernelTest {
    /** The script kills a guest after 600 s; this only catches a script stuck before the boot. */
    private static final int TIMEOUT_SECONDS = 1200;
    private static final int QEMU_CANNOT_START = 77;

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void insmodRmmodModprobeLsmodInARealKernel(KmodLevel level) {
        String script = Corpus.repoRoot().resolve("scripts/test-kernel").toString();
        Processes.Result r = Processes.run(null,
                List.of("env", KmodLevel.VARIABLE + "=" + level.setting(), script), TIMEOUT_SECONDS);
        System.out.print(r.stdoutText());
        System.out.print(r.stderrText());
        if (r.status() == QEMU_CANNOT_START) {
            String banner = "*".repeat(78);
            System.err.println(banner + "\nKERNEL TEST SKIPPED: QEMU cannot start on this machine\n" + r.stderrText()
                    + banner);
            abort("QEMU cannot start here: " + r.stderrText().strip());
        }
        assertEquals(0, r.status(), "scripts/test-kernel failed:\n" + r.stderrText());
    }
}

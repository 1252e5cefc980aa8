package modtools.cli.installed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;

/** The repository's scripts and launcher, run as a user would, for the tests of the installed tool. */
final class Scripts {
    static final Path REPO = Corpus.repoRoot();
    static final Path LAUNCHER = REPO.resolve("bin/modtools");
    private static final int TIMEOUT_SECONDS = 600;

    private Scripts() {}

    /** Runs {@code command}; fails the test unless it exits 0. */
    static Processes.Result ok(String... command) {
        Processes.Result r = run(command);
        assertEquals(0, r.status(), String.join(" ", command) + " failed:\n" + r.stdoutText() + r.stderrText());
        return r;
    }

    static Processes.Result run(String... command) {
        return Processes.run(REPO, List.of(command), TIMEOUT_SECONDS);
    }

    static Processes.Result run(List<String> command) {
        return Processes.run(REPO, command, TIMEOUT_SECONDS);
    }

    /** {@code script} from scripts/ with its arguments. */
    static Processes.Result script(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(REPO.resolve("scripts").resolve(script).toString()));
        command.addAll(List.of(args));
        Processes.Result r = run(command);
        assertEquals(0, r.status(), "scripts/" + script + " failed:\n" + r.stdoutText() + r.stderrText());
        return r;
    }

    static boolean root() {
        return run("id", "-u").stdoutText().strip().equals("0");
    }
}

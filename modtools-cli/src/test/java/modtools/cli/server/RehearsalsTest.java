package modtools.cli.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import modtools.cli.Invocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Only a call that writes nothing and logs nothing is run again by the server unseen. */
class RehearsalsTest {
    private static Invocation call(String program, String options, String... args) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Map<String, String> environment = options == null ? Map.of() : Map.of("MODPROBE_OPTIONS", options);
        return new Invocation(program, program, List.of(args), nowhere, nowhere, Path.of("/"), "6.1.0", environment);
    }

    @Test
    void modinfoAndModprobesQueriesAreRunAgain() {
        assertTrue(Rehearsals.onlyReads(call("modinfo", null, "-F", "firmware", "xfs")));
        assertTrue(Rehearsals.onlyReads(call("modprobe", null, "--all", "--quiet", "--show-depends", "xfs", "ext4")));
        assertTrue(Rehearsals.onlyReads(call("modprobe", "-q", "-c")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-s", "--syslog", "-sD"})
    void aModprobeThatLogsToSyslogIsNot(String option) {
        assertFalse(Rehearsals.onlyReads(call("modprobe", null, option, "-D", "xfs")));
        assertFalse(Rehearsals.onlyReads(call("modprobe", option, "-D", "xfs")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"depmod", "link", "lsmod", "insmod", "rmmod"})
    void noOtherCommandIs(String program) {
        assertFalse(Rehearsals.onlyReads(call(program, null, "-n")));
    }

    @Test
    void aModprobeThatLoadsIsNot() {
        assertFalse(Rehearsals.onlyReads(call("modprobe", null, "xfs")));
    }
}

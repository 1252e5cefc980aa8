package modtools.cli.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import modtools.cli.Invocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A call whose environment differs from the server's in what the JVM fixed at its start runs in a JVM of its own. */
class ServedTest {
    private static final Map<String, String> SERVER = Map.of("LANG", "C.UTF-8", "TZ", "UTC", "PATH", "/usr/bin");

    private static Invocation call(String program, List<String> args, String cwd, Map<String, String> environment) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        return new Invocation(program, program, args, nowhere, nowhere, Path.of(cwd), "6.1.0", environment);
    }

    private static Invocation modinfo(Map<String, String> environment) {
        return call("modinfo", List.of("xfs"), "/", environment);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POSIXLY_CORRECT", "LC_ALL", "LC_CTYPE", "LANG", "TZ"})
    void aDifferenceInWhatTheJvmFixedAtItsStartIsNotServed(String name) {
        Map<String, String> caller = new HashMap<>(SERVER);
        caller.put(name, "Europe/Paris");
        assertFalse(Served.served(modinfo(caller), SERVER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PATH", "MODPROBE_OPTIONS", "MODTOOLS_KMOD"})
    void otherVariablesAreTheRequestsOwn(String name) {
        Map<String, String> caller = new HashMap<>(SERVER);
        caller.put(name, "other");
        assertTrue(Served.served(modinfo(caller), SERVER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-C/dev/stdin", "--config=/dev/fd/0", "/proc/self/fd/3", "/dev/stdin"})
    void aFileNamedByTheCallersOwnDescriptorsIsNotServed(String word) {
        assertFalse(Served.served(call("modprobe", List.of("-c", word), "/", SERVER), SERVER));
        assertFalse(Served.served(call("depmod", List.of("-n", word), "/", SERVER), SERVER));
        Map<String, String> options = new HashMap<>(SERVER);
        options.put("MODPROBE_OPTIONS", word);
        assertFalse(Served.served(call("modprobe", List.of("-c"), "/", options), SERVER));
        assertTrue(Served.served(call("modprobe", List.of("-c"), "/", SERVER), SERVER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/dev", "/dev/fd", "/proc/self"})
    void aCallFromADirectoryOfPerProcessNamesIsNotServed(String cwd) {
        assertFalse(Served.served(call("modinfo", List.of("stdin"), cwd, SERVER), SERVER));
    }
}

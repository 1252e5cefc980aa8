package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import modtools.cli.modprobe.ModprobeCommand;
import modtools.deps.KmodLevel;
import modtools.testkit.Processes;
import modtools.testkit.Served;

/**
 * One of our commands, its streams captured as bytes like a reference tool's. A call the
 * resident server would take runs twice, in this JVM and through the native client and a
 * server ({@link Served}), and both runs must agree to the byte and exit status; so every
 * differential test of the served commands checks both ways for the price of one reference run.
 * The command copies the kmod release a level names: kmod 30 unless the test says otherwise.
 */
public final class Tool {
    private Tool() {}

    /** Our command {@code name}, run as if called by that name, both ways where it is served. */
    public static Processes.Result ours(String name, List<String> args) {
        return ours(name, args, Map.of());
    }

    /** Our command {@code name} at a level, both ways where it is served. */
    public static Processes.Result ours(KmodLevel level, String name, List<String> args) {
        return ours(name, args, Map.of(KmodLevel.VARIABLE, level.setting()));
    }

    /**
     * Our command {@code name} with {@code extra} added to the environment it sees (kmod 30's
     * level unless {@code extra} names one), both ways where it is served.
     */
    public static Processes.Result ours(String name, List<String> args, Map<String, String> extra) {
        Map<String, String> withLevel = new HashMap<>(Map.of(KmodLevel.VARIABLE, KmodLevel.KMOD30.setting()));
        withLevel.putAll(extra);
        extra = Map.copyOf(withLevel);
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.putAll(extra);
        Processes.Result inJvm = inProcess(name, args, Path.of(System.getProperty("user.dir")), Map.copyOf(env));
        if (servedCall(name, args, env)) {
            assertSameRun(inJvm, served(name, args, extra), name + " " + String.join(" ", args));
        }
        return inJvm;
    }

    /** Whether the server runs {@code name args}, as its own rule says. */
    public static boolean servedCall(String name, List<String> args, Map<String, String> environment) {
        return switch (name) {
            case "modinfo", "depmod", "lsmod", "link" -> true;
            case "modprobe" -> ModprobeCommand.onlyLooks(args, environment);
            default -> false;
        };
    }

    /** In this JVM only, with the tools' environment as it is (the default level, as a server started for the tests). */
    public static Processes.Result inProcess(String name, List<String> args) {
        return inProcess(name, args, Path.of(System.getProperty("user.dir")), Processes.environment());
    }

    /** Through the client and the tests' shared server only. */
    public static Processes.Result served(String name, List<String> args) {
        return served(name, args, Map.of());
    }

    /** The same, with {@code extra} added to the environment. */
    public static Processes.Result served(String name, List<String> args, Map<String, String> extra) {
        Processes.Result result = Served.shared().run(null, name, args, extra);
        assertEquals(false, result.status() == Served.NOT_SERVED && result.stderrText().startsWith("modtools: not served"),
                name + " " + String.join(" ", args) + " was not served: " + result.stderrText());
        return result;
    }

    public static void assertSameRun(Processes.Result inJvm, Processes.Result served, String what) {
        assertEquals(inJvm.stdoutText(), served.stdoutText(), what + ": stdout served and in a plain JVM");
        assertEquals(inJvm.stderrText(), served.stderrText(), what + ": stderr served and in a plain JVM");
        assertEquals(inJvm.status(), served.status(), what + ": exit status served and in a plain JVM");
    }

    /** A command built by the test (with its own view of the host), run as {@code name} in this JVM, copying kmod 30. */
    public static Processes.Result ours(String name, List<String> args, Command command) {
        return ours(KmodLevel.KMOD30, name, args, command);
    }

    /** A command built by the test (with its own view of the host), run as {@code name} in this JVM at a level. */
    public static Processes.Result ours(KmodLevel level, String name, List<String> args, Command command) {
        return inProcess(name, args, Path.of(System.getProperty("user.dir")), environment(level), command);
    }

    /** The tools' environment with MODTOOLS_KMOD naming the level. */
    public static Map<String, String> environment(KmodLevel level) {
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.put(KmodLevel.VARIABLE, level.setting());
        return Map.copyOf(env);
    }

    /** In this JVM, as if called in {@code cwd} with {@code environment}. */
    public static Processes.Result inProcess(String name, List<String> args, Path cwd, Map<String, String> environment) {
        return inProcess(name, args, cwd, environment, inv -> Main.run(name, inv));
    }

    private static Processes.Result inProcess(String name, List<String> args, Path cwd, Map<String, String> environment,
                                              Command command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, false, StandardCharsets.ISO_8859_1);
        PrintStream e = new PrintStream(err, true, StandardCharsets.ISO_8859_1);
        Invocation inv = new Invocation(name, name, args, o, e, cwd, System.getProperty("os.version"), environment);
        int status = command.run(inv);
        o.flush();
        return new Processes.Result(status, out.toByteArray(), err.toByteArray());
    }
}

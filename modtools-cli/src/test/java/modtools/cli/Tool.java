package modtools.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import modtools.testkit.Processes;

/** One of our commands run in this JVM, its streams captured as bytes like a reference tool's. */
public final class Tool {
    private Tool() {}

    /** Our command {@code name}, run as if called by that name. */
    public static Processes.Result ours(String name, List<String> args) {
        return ours(name, args, inv -> Main.run(name, inv));
    }

    /** Our command {@code name} with {@code extra} added to the environment it sees. */
    public static Processes.Result ours(String name, List<String> args, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.putAll(extra);
        return run(name, args, inv -> Main.run(name, inv), Map.copyOf(env));
    }

    /** A command built by the test (with its own view of the host), run as {@code name}. */
    public static Processes.Result ours(String name, List<String> args, Command command) {
        return run(name, args, command, Processes.environment());
    }

    private static Processes.Result run(String name, List<String> args, Command command, Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, false, StandardCharsets.ISO_8859_1);
        PrintStream e = new PrintStream(err, true, StandardCharsets.ISO_8859_1);
        Invocation inv = new Invocation(name, name, args, o, e, Path.of(System.getProperty("user.dir")),
                System.getProperty("os.version"), env);
        int status = command.run(inv);
        o.flush();
        return new Processes.Result(status, out.toByteArray(), err.toByteArray());
    }
}

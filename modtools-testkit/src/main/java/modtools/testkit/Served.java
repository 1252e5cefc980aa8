package modtools.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Our commands run the way a user's calls are served: by the native client
 * ({@code modtools-cli/target/modtools-client}) through a resident server ({@code modtools
 * server}) of the test's own, in a temporary directory, so that test runs of other checkouts
 * at the same time never meet it. The server runs this JVM's classes; the client is told where
 * with MODTOOLS_SERVER_DIR and asked for MODTOOLS_SERVER=only, so a call no server takes fails
 * with status 125 instead of quietly running elsewhere.
 */
public final class Served implements AutoCloseable {
    public static final int NOT_SERVED = 125;
    private static Served shared;

    private final Path dir;
    private final boolean ownDir;
    private final Path classes;
    private final Process server;

    private Served(Path dir, boolean ownDir, Path classes, Process server) {
        this.dir = dir;
        this.ownDir = ownDir;
        this.classes = classes;
        this.server = server;
    }

    /** One server for every test of this JVM that needs one, stopped when the JVM ends. */
    public static synchronized Served shared() {
        if (shared == null || !shared.server.isAlive()) {
            // the server quits after its idle time, as a user's does: a later test starts another
            shared = start(Map.of("MODTOOLS_SERVER_IDLE", "600"));
            Served s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        }
        return shared;
    }

    /** A server of its own, with these additions to its environment (MODTOOLS_SERVER_IDLE, say). */
    public static Served start(Map<String, String> environment) {
        Path classes = Corpus.repoRoot().resolve("modtools-cli/target/classes");
        return start(classes, System.getProperty("java.class.path"), environment);
    }

    /** A server running {@code classes} first on the class path (its build, to the client). */
    public static Served start(Path classes, String classPath, Map<String, String> environment) {
        try {
            Path dir = Files.createTempDirectory("modtools-server", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            return launch(dir, true, classes, classPath, environment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server in {@code dir}, which the test has made (or made unfit, to see it refused). */
    public static Served startIn(Path dir, Path classes, String classPath, Map<String, String> environment) {
        return launch(dir, false, classes, classPath, environment);
    }

    private static Served launch(Path dir, boolean ownDir, Path classes, String classPath,
                                 Map<String, String> environment) {
        try {
            Map<String, String> env = new HashMap<>(Processes.environment());
            env.putAll(environment);
            ProcessBuilder pb = new ProcessBuilder(serverCommand(dir, classes, classPath));
            pb.environment().clear();
            pb.environment().putAll(env);
            pb.redirectOutput(log(dir).toFile());
            pb.redirectErrorStream(true);
            Process server = pb.start();
            Served served = new Served(dir, ownDir, classes, server);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(dir.resolve("socket")) && server.isAlive()) {
                if (System.nanoTime() > deadline) {
                    served.close();
                    throw new IllegalStateException("the server in " + dir + " did not start within 60 s");
                }
                Thread.sleep(10);
            }
            return served;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The command that starts a server in {@code dir}, as the launcher would. */
    public static List<String> serverCommand(Path dir, Path classes, String classPath) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classes + ":" + classPath, "modtools.cli.Main", "server", "--dir", dir.toString());
    }

    public static Path client() {
        return Corpus.repoRoot().resolve("modtools-cli/target/modtools-client");
    }

    public Path dir() {
        return dir;
    }

    public Process process() {
        return server;
    }

    /** What the server wrote about itself (it starts detached from any terminal). */
    public String log() throws IOException {
        return Files.readString(log(dir));
    }

    /** Beside the directory, which may be one the server refuses to touch. */
    private static Path log(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".log");
    }

    /** {@code argv0 args} served, in {@code cwd} (null: this JVM's), with the tools' environment. */
    public Processes.Result run(Path cwd, String argv0, List<String> args) {
        return run(cwd, argv0, args, Map.of());
    }

    /** The same, with these additions to the environment. */
    public Processes.Result run(Path cwd, String argv0, List<String> args, Map<String, String> environment) {
        return Processes.run(cwd, command(argv0, args), environment(environment), 600);
    }

    /** The client's command line for {@code argv0 args}; it starts no server, so the launcher is never run. */
    public List<String> command(String argv0, List<String> args) {
        List<String> command = new ArrayList<>(List.of(client().toString(), "/nonexistent/launcher", argv0,
                classes.toString()));
        command.addAll(args);
        return command;
    }

    /** The tools' environment with the client pointed at this server, and these additions. */
    public Map<String, String> environment(Map<String, String> additions) {
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.put("MODTOOLS_SERVER_DIR", dir.toString());
        env.put("MODTOOLS_SERVER", "only");
        env.putAll(additions);
        return env;
    }

    @Override
    public void close() {
        server.destroy();
        try {
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log(dir).toFile().delete();
        if (!ownDir) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // left in the temporary directory
        }
    }
}

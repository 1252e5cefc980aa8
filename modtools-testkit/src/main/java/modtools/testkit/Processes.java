package modtools.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a reference tool (kmod, binutils, gcc, a script) and captures both streams as bytes.
 * The environment loses MODPROBE_OPTIONS, which kmod's modprobe would prepend to its
 * arguments, the C locale keeps binutils' messages in English, our launcher runs without its
 * resident server (MODTOOLS_SERVER=off), and standard input is empty,
 * so runs do not depend on the caller's shell.
 */
public final class Processes {
    private Processes() {}

    public record Result(int status, byte[] stdout, byte[] stderr) {
        /** Output as bytes one per char, so kmod's bytes compare exactly whatever they are. */
        public String stdoutText() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }

        public String stderrText() {
            return new String(stderr, StandardCharsets.ISO_8859_1);
        }
    }

    /** The environment every tool runs with, ours in-process included. */
    public static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("MODPROBE_OPTIONS");
        // our tools' kmod level is each test's choice, never the caller's
        env.remove("MODTOOLS_KMOD");
        env.put("LC_ALL", "C");
        // our launcher starts a JVM per call, as before the resident server; the tests that
        // want the server ask for their own (Served), never a user's
        env.put("MODTOOLS_SERVER", "off");
        env.remove("MODTOOLS_SERVER_DIR");
        return Map.copyOf(env);
    }

    public static Result run(List<String> command) {
        return run(null, command, 0);
    }

    /** In {@code dir} (null: the current one), killed after {@code timeoutSeconds} (0: never). */
    public static Result run(Path dir, List<String> command, int timeoutSeconds) {
        return run(dir, command, environment(), timeoutSeconds);
    }

    /** As {@link #run(Path, List, int)}, with the whole environment given. */
    public static Result run(Path dir, List<String> command, Map<String, String> environment, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().clear();
            pb.environment().putAll(environment);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            if (timeoutSeconds > 0 && !p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
            int status = p.waitFor();
            return new Result(status, out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

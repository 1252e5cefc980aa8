package modtools.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a reference tool as a process, or one of our commands in-process, capturing both streams as bytes. */
public final class Tool {
    private Tool() {}

    public record Result(int status, byte[] stdout, byte[] stderr) {
        public String stdoutText() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }

        public String stderrText() {
            return new String(stderr, StandardCharsets.ISO_8859_1);
        }
    }

    public static Result run(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().remove("MODPROBE_OPTIONS");
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            return new Result(p.waitFor(), out, err.join());
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

    /** Our command {@code name}, run in this JVM as if called by that name. */
    public static Result ours(String name, List<String> args) {
        return ours(name, args, inv -> Main.run(name, inv));
    }

    /** A command built by the test (with its own view of the host), run in this JVM as {@code name}. */
    public static Result ours(String name, List<String> args, Command command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, false, StandardCharsets.ISO_8859_1);
        PrintStream e = new PrintStream(err, true, StandardCharsets.ISO_8859_1);
        Invocation inv = new Invocation(name, name, args, o, e, Path.of(System.getProperty("user.dir")),
                System.getProperty("os.version"));
        int status = command.run(inv);
        o.flush();
        return new Result(status, out.toByteArray(), err.toByteArray());
    }
}

package modtools.cli.modprobe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import modtools.deps.resolve.CommandRunner;

/**
 * Install and remove commands run as system(3) runs them: {@code /bin/sh -c COMMAND}, with
 * {@code MODPROBE_MODULE} naming the module and {@code MODPROBE_OPTIONS} carrying the
 * options modprobe passes on to nested modprobe calls. The command's output goes to ours.
 * The environment is the caller's whole environment, never this process's own.
 */
record ShellCommands(Map<String, String> environment, Path cwd, PrintStream out, PrintStream err)
        implements CommandRunner {

    @Override
    public int run(String command, String module) {
        out.flush();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(environment);
        pb.environment().put("MODPROBE_MODULE", module);
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            CompletableFuture<Void> errors = CompletableFuture.runAsync(() -> copy(p.getErrorStream(), err));
            copy(p.getInputStream(), out);
            errors.join();
            out.flush();
            return p.waitFor();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void copy(InputStream in, OutputStream to) {
        try (in) {
            in.transferTo(to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

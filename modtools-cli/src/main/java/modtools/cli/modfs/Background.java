package modtools.cli.modfs;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.cli.modfs.ModfsCommand.Result;
import modtools.modfs.ModfsServer;
import modtools.modfs.fuse.MountPoints;

/**
 * {@code modfs mount} without {@code --foreground}: the same command run again with
 * {@code --foreground} in a session of its own (setsid), detached from the terminal; this
 * process waits for its pid file, written once the mount answers, and returns.
 */
final class Background {
    private static final long READY_MILLIS = 10_000;
    private static final String PREFIX = ModfsCommand.NAME + " mount: ";

    private Background() {}

    static Result start(Path dir) {
        List<String> notes = MountPointCheck.recoverDead(dir);
        if (MountPoints.mounted(dir, ModfsServer.FS_TYPE)) {
            return Result.failed(notes, dir + ": already mounted");
        }
        PidFile pidFile = PidFile.of(dir);
        pidFile.delete();
        Path errors;
        Process host;
        try {
            errors = Files.createTempFile("modfs-mount", ".err");
            List<String> command = new ArrayList<>(List.of("setsid"));
            command.addAll(JavaCommand.of(List.of("modfs", "mount", "--foreground", dir.toString())));
            host = new ProcessBuilder(command).directory(new File("/"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(errors.toFile())
                    .start();
        } catch (IOException e) {
            return Result.failed(notes, "cannot start the host: " + e.getMessage());
        }
        try {
            Optional<String> problem = waitUntilReady(host, pidFile, dir, errors);
            return problem.isEmpty() ? Result.ok(notes) : Result.failed(notes, problem.get());
        } finally {
            try {
                Files.deleteIfExists(errors);
            } catch (IOException e) {
                // Only a temporary file with the host's messages is left behind.
            }
        }
    }

    /** Empty once the host's pid file names it and the mount is there; else why not. */
    private static Optional<String> waitUntilReady(Process host, PidFile pidFile, Path dir, Path errors) {
        long deadline = System.currentTimeMillis() + READY_MILLIS;
        while (true) {
            if (pidFile.read().filter(p -> p == host.pid()).isPresent() && MountPoints.mounted(dir, ModfsServer.FS_TYPE)) {
                return Optional.empty();
            }
            if (!host.isAlive()) {
                return Optional.of(hostMessages(errors, host.exitValue()));
            }
            if (System.currentTimeMillis() > deadline) {
                host.destroy();
                return Optional.of("the host did not answer within " + READY_MILLIS / 1000 + " s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
        }
    }

    /** What the host said before it exited, without its own prefix, which ours replaces. */
    private static String hostMessages(Path errors, int status) {
        try {
            String text = Files.readString(errors, StandardCharsets.ISO_8859_1).strip();
            if (!text.isEmpty()) {
                return text.replace(PREFIX, "");
            }
        } catch (IOException e) {
            // Fall through to the exit status.
        }
        return "the host exited with status " + status;
    }
}

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
import modtools.contract.MountPath;
import modtools.modfs.fuse.MountPoints;

/**
 * {@code modfs mount} without {@code --foreground}: the same command run again with
 * {@code --foreground} as a daemon, detached from the terminal; this process waits for its
 * pid file, written once the mount answers, and returns. The host itself checks and mounts
 * under the mount lock, so of several mounts of one directory started together one mounts and
 * the others report its mount.
 */
final class Background {
    private static final long READY_MILLIS = 10_000;
    private static final String PREFIX = ModfsCommand.NAME + " mount: ";

    private Background() {}

    static Result start(Path dir, StateDir state) {
        PidFile pidFile = PidFile.of(dir);
        List<String> notes;
        try (MountLock lock = MountLock.create(pidFile)) {
            notes = MountPointCheck.recoverDead(dir);
        } catch (IOException e) {
            return Result.failed(List.of(), "cannot lock the mount point: " + e.getMessage());
        }
        if (MountPoints.probe(dir, MountPath.FS_TYPE) == MountPoints.Probe.LIVE) {
            // Only a shortcut: the host decides again under the mount lock.
            return Result.failed(notes, dir + ": already mounted");
        }
        Path errors;
        long host;
        try {
            Path home = state.create();
            errors = Files.createTempFile(home, "modfs-mount", ".err");
            host = spawn(JavaCommand.of(List.of(state.errorFileOption(), "-D" + Foreground.STATE_PROPERTY + "=" + home),
                    List.of("modfs", "mount", "--foreground", dir.toString())), errors, home);
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

    /**
     * Starts {@code command} through sh in the background, in a session of its own (setsid,
     * which does not fork here: a background job of a shell without job control leads no
     * process group), its stderr in {@code errors}; returns its pid. The shell exits at once,
     * so the host is nobody's child here: a JVM that leaves a child of its own running takes a
     * third of a second longer to exit, measured by scripts/bench-modfs. It runs in the state
     * directory, where whatever the JVM drops in its working directory belongs.
     */
    private static long spawn(List<String> command, Path errors, Path home) throws IOException {
        List<String> sh = new ArrayList<>(List.of("sh", "-c", "setsid \"$@\" </dev/null >/dev/null 2>\"$0\" & echo $!",
                errors.toString()));
        sh.addAll(command);
        Process p = new ProcessBuilder(sh).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String pid = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        try {
            p.waitFor();
            return Long.parseLong(pid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the host");
        } catch (NumberFormatException e) {
            throw new IOException("sh did not report the host's pid");
        }
    }

    /** Empty once the host's pid file names it and the mount is there; else why not. */
    private static Optional<String> waitUntilReady(long host, PidFile pidFile, Path dir, Path errors) {
        long deadline = System.currentTimeMillis() + READY_MILLIS;
        while (true) {
            if (pidFile.read().filter(p -> p == host).isPresent() && MountPoints.mounted(dir, MountPath.FS_TYPE)) {
                return Optional.empty();
            }
            if (!HostProcess.running(host)) {
                return Optional.of(hostMessages(errors));
            }
            if (System.currentTimeMillis() > deadline) {
                ProcessHandle.of(host).ifPresent(ProcessHandle::destroy);
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
    private static String hostMessages(Path errors) {
        try {
            String text = Files.readString(errors, StandardCharsets.ISO_8859_1).strip();
            if (!text.isEmpty()) {
                return text.replace(PREFIX, "");
            }
        } catch (IOException e) {
            // Fall through to the plain fact.
        }
        return "the host exited without a word";
    }
}

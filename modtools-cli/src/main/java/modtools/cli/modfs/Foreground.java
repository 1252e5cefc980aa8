package modtools.cli.modfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import modtools.cli.modfs.ModfsCommand.Result;
import modtools.contract.MountPath;
import modtools.deps.resolve.LinuxErrno;
import modtools.modfs.ModfsServer;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.MountPoints;
import modtools.modfs.fuse.Outcome;

/**
 * The host in this process: under the mount lock, check, mount and write the pid file (the sign
 * that the mount is ready); then serve until unmounted. SIGTERM and SIGINT stop it in order
 * through a shutdown hook: live modules exited in reverse load order, then the mount point
 * released.
 */
final class Foreground {
    /** The state directory a host started by {@link Background} was given, for its log. */
    static final String STATE_PROPERTY = "modtools.modfs.state";

    private Foreground() {}

    static Result run(Path dir) {
        PidFile pidFile = PidFile.of(dir);
        long pid = ProcessHandle.current().pid();
        ModfsServer server;
        List<String> notes;
        try (MountLock lock = MountLock.create(pidFile)) {
            notes = MountPointCheck.recoverDead(dir);
            Outcome<ModfsServer> mounted = mountUnderLock(dir, pidFile, pid);
            if (mounted instanceof Outcome.Failed<ModfsServer> f) {
                pidFile.removeIfEmpty();
                return Result.failed(notes, f.why());
            }
            server = ((Outcome.Done<ModfsServer>) mounted).value();
            String state = System.getProperty(STATE_PROPERTY);
            if (state != null) {
                server.note("modfs: state directory " + state + " (the host's working directory and its crash reports, "
                        + "hs_err_pid" + pid + ".log)");
            }
        } catch (IOException e) {
            return Result.failed(List.of(), "cannot lock the mount point: " + e.getMessage());
        }
        Thread hook = new Thread(() -> {
            server.stop();
            pidFile.removeIfOwnedBy(pid);
        }, "modfs stop");
        Runtime.getRuntime().addShutdownHook(hook);
        server.serve();
        List<String> problems = server.stop();
        pidFile.removeIfOwnedBy(pid);
        return problems.isEmpty() ? Result.ok(notes) : Result.failed(notes, String.join("; ", problems));
    }

    private static Outcome<ModfsServer> mountUnderLock(Path dir, PidFile pidFile, long pid) {
        if (MountPoints.mounted(dir, MountPath.FS_TYPE)) {
            return Outcome.failed(Errno.EEXIST, dir + ": already mounted");
        }
        Optional<Long> other = pidFile.read().filter(p -> p != pid && HostProcess.running(p));
        if (other.isPresent()) {
            return Outcome.failed(Errno.EBUSY, pidFile.path() + ": names pid " + other.get() + ", which still runs"
                    + (HostProcess.serves(other.get(), dir) ? " (a host that is stopping)" : "; not ours to replace"));
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return Outcome.failed(Errno.EIO, dir + ": cannot create the mount point: " + e.getMessage());
        }
        Outcome<ModfsServer> mounted = ModfsServer.mount(dir);
        if (mounted instanceof Outcome.Failed<ModfsServer> f) {
            String hint = f.errno() == 1 ? " (a user other than root mounts through fusermount3, which needs /dev/fuse:"
                    + " the fuse group)" : "";
            return Outcome.failed(f.errno(), dir + ": " + f.why() + ": " + LinuxErrno.strerror(f.errno()) + hint);
        }
        ModfsServer server = ((Outcome.Done<ModfsServer>) mounted).value();
        try {
            pidFile.write(pid);
        } catch (IOException e) {
            server.stop();
            return Outcome.failed(Errno.EIO, pidFile.path() + ": cannot write the pid file: " + e.getMessage());
        }
        return mounted;
    }
}

package modtools.cli.modfs;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import modtools.cli.modfs.ModfsCommand.Result;
import modtools.deps.resolve.LinuxErrno;
import modtools.modfs.ModfsServer;
import modtools.modfs.fuse.MountPoints;
import modtools.modfs.fuse.Outcome;

/**
 * {@code modfs umount}: the host is asked to stop (SIGTERM), which exits its live modules in
 * reverse load order and unmounts; a host we cannot find is unmounted from outside, and it then
 * stops its modules itself when it sees the mount go.
 */
final class Unmount {
    /** Room for every module's exit (the host waits 10 s for each) on a busy machine. */
    private static final long STOP_SECONDS = 60;

    private Unmount() {}

    static Result run(Path dir) {
        List<String> notes = MountPointCheck.recoverDead(dir);
        if (!notes.isEmpty()) {
            return Result.ok(notes);
        }
        PidFile pidFile = PidFile.of(dir);
        if (!MountPoints.mounted(dir, ModfsServer.FS_TYPE)) {
            pidFile.delete();
            return Result.failed(notes, dir + ": not mounted");
        }
        Optional<Long> host = pidFile.read().filter(HostProcess::running);
        if (host.isPresent()) {
            ProcessHandle.of(host.get()).ifPresent(ProcessHandle::destroy);
            long deadline = System.currentTimeMillis() + STOP_SECONDS * 1000;
            while (HostProcess.running(host.get())) {
                if (System.currentTimeMillis() > deadline) {
                    return Result.failed(notes, "the host (pid " + host.get() + ") did not stop within "
                            + STOP_SECONDS + " s");
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Result.failed(notes, "interrupted");
                }
            }
        }
        if (MountPoints.mounted(dir, ModfsServer.FS_TYPE)
                && MountPoints.unmount(dir, false) instanceof Outcome.Failed<Void> f) {
            return Result.failed(notes, dir + ": " + LinuxErrno.strerror(f.errno()));
        }
        pidFile.delete();
        return Result.ok(notes);
    }
}

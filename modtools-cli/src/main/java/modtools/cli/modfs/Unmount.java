package modtools.cli.modfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import modtools.cli.modfs.ModfsCommand.Result;
import modtools.contract.MountPath;
import modtools.deps.resolve.LinuxErrno;
import modtools.modfs.fuse.MountPoints;
import modtools.modfs.fuse.Outcome;
import modtools.modfs.fuse.Owner;

/**
 * {@code modfs umount}: the host is asked to stop (SIGTERM), which exits its live modules in
 * reverse load order and unmounts; a host we cannot find is unmounted from outside, and it then
 * stops its modules itself when it sees the mount go. Nothing beside a directory that is not a
 * modfs mount is touched, and the pid file only when it names the mount's host.
 */
final class Unmount {
    /** Room for every module's exit (the host waits 10 s for each) on a busy machine. */
    private static final long STOP_SECONDS = 60;
    private static final int EPERM = 1;

    private Unmount() {}

    static Result run(Path dir) {
        if (!MountPoints.mounted(dir, MountPath.FS_TYPE)) {
            return Result.failed(List.of(), dir + ": not mounted");
        }
        int uid = Owner.ofProcess().uid();
        OptionalInt owner = MountPoints.owner(dir, MountPath.FS_TYPE);
        if (uid != 0 && (owner.isEmpty() || owner.getAsInt() != uid)) {
            return Result.failed(List.of(), dir + ": " + LinuxErrno.strerror(EPERM));
        }
        PidFile pidFile = PidFile.of(dir);
        try (MountLock lock = MountLock.ifExists(pidFile).orElse(null)) {
            return unmountUnderLock(dir, pidFile);
        } catch (IOException e) {
            return Result.failed(List.of(), "cannot lock the mount point: " + e.getMessage());
        }
    }

    private static Result unmountUnderLock(Path dir, PidFile pidFile) {
        List<String> notes = MountPointCheck.recoverDead(dir);
        if (!notes.isEmpty()) {
            return Result.ok(notes);
        }
        if (!MountPoints.mounted(dir, MountPath.FS_TYPE)) {
            return Result.failed(notes, dir + ": not mounted");
        }
        Optional<Long> host = pidFile.read().filter(pid -> HostProcess.serves(pid, dir));
        if (host.isPresent()) {
            Optional<String> stopped = stop(host.get());
            if (stopped.isPresent()) {
                return Result.failed(notes, stopped.get());
            }
        }
        if (MountPoints.mounted(dir, MountPath.FS_TYPE)
                && MountPoints.unmount(dir, false) instanceof Outcome.Failed<Void> f) {
            return Result.failed(notes, dir + ": " + LinuxErrno.strerror(f.errno()));
        }
        host.ifPresent(pidFile::removeIfOwnedBy);
        pidFile.removeIfEmpty();
        return Result.ok(notes);
    }

    /** SIGTERM to the host and a wait for it to exit; empty once it has, else why not. */
    private static Optional<String> stop(long host) {
        ProcessHandle.of(host).ifPresent(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + STOP_SECONDS * 1000;
        while (HostProcess.running(host)) {
            if (System.currentTimeMillis() > deadline) {
                return Optional.of("the host (pid " + host + ") did not stop within " + STOP_SECONDS + " s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
        }
        return Optional.empty();
    }
}

package modtools.cli.modfs;

import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import modtools.contract.MountPath;
import modtools.deps.resolve.LinuxErrno;
import modtools.modfs.fuse.MountPoints;
import modtools.modfs.fuse.Outcome;

/**
 * A mount point left dead by a host that crashed answers every access with ENOTCONN ("Transport
 * endpoint is not connected"); both mount and umount detach it, under the mount lock, before
 * doing their own work.
 */
final class MountPointCheck {
    private MountPointCheck() {}

    /** Detaches a dead modfs on {@code dir}; returns a note saying so, or nothing if it was not dead. */
    static List<String> recoverDead(Path dir) {
        List<String> notes = new ArrayList<>();
        if (MountPoints.probe(dir, MountPath.FS_TYPE) == MountPoints.Probe.DEAD) {
            Outcome<Void> detached = MountPoints.unmount(dir, true);
            notes.add(dir + ": " + LinuxErrno.strerror(107) + " (the host is gone): "
                    + (detached instanceof Outcome.Failed<Void> f ? "could not detach it: " + LinuxErrno.strerror(f.errno())
                    : "detached the dead mount"));
            // Beside a modfs mount whose host died, the pid file names that host, or nothing.
            PidFile.of(dir).removeIfStale();
        }
        return notes;
    }
}

package modtools.modfs;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import modtools.contract.ModfsFiles;
import modtools.contract.MountPath;
import modtools.modfs.fs.Modfs;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.FuseDevice;
import modtools.modfs.fuse.FuseSession;
import modtools.modfs.fuse.MountPoints;
import modtools.modfs.fuse.Outcome;
import modtools.modfs.fuse.Owner;
import modtools.modfs.host.HostExports;
import modtools.modfs.host.HostLog;

/**
 * A mounted modfs and the host behind it: mount, serve until unmounted, and stop — live modules
 * exited in reverse load order, memory released, the mount point taken away.
 */
public final class ModfsServer {
    /** How long stopping waits for each module's exit. */
    private static final long EXIT_SECONDS = 10;

    private final FuseDevice device;
    private final Modfs fs;
    private final HostLog log;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private ModfsServer(FuseDevice device, Modfs fs, HostLog log) {
        this.device = device;
        this.fs = fs;
        this.log = log;
    }

    /** Mounts a new modfs on {@code dir}, an existing empty directory. */
    public static Outcome<ModfsServer> mount(Path dir) {
        HostLog log = new HostLog();
        Owner owner = Owner.ofProcess();
        Modfs fs = new Modfs(owner, log, new HostExports());
        Outcome<FuseDevice> device = FuseDevice.mount(dir, "modfs", owner.uid(), owner.gid());
        if (device instanceof Outcome.Failed<FuseDevice> f) {
            return f.cast();
        }
        log.add("modfs: " + ModfsFiles.RELEASE + " mounted on " + dir);
        return Outcome.done(new ModfsServer(((Outcome.Done<FuseDevice>) device).value(), fs, log));
    }

    /** A line of the host's own for the log. */
    public void note(String line) {
        log.add(line);
    }

    /** Answers requests until the filesystem is unmounted, by {@link #stop} or by anyone else. */
    public void serve() {
        new FuseSession(device, fs).serve();
    }

    /**
     * Exits the live modules in reverse load order, releases all module memory and unmounts —
     * lazily if the mount point is busy, since the host is going away either way. Only the
     * first call does anything. Returns what went wrong, one line each.
     */
    public List<String> stop() {
        if (!stopped.compareAndSet(false, true)) {
            return List.of();
        }
        List<String> problems = fs.shutdown(EXIT_SECONDS);
        Path dir = device.mountPoint();
        if (MountPath.mounted(dir) && MountPoints.unmount(dir, false) instanceof Outcome.Failed<Void> f) {
            if (f.errno() == Errno.EBUSY) {
                MountPoints.unmount(dir, true);
            }
        }
        log.add("modfs: unmounted " + dir);
        device.close();
        return problems;
    }
}

package modtools.modfs.fuse;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A mounted FUSE connection: /dev/fuse opened and handed to mount(2), as fusermount does for
 * unprivileged users and libfuse does when it runs as root. The kernel then queues every request
 * for the mount point on this descriptor.
 */
public final class FuseDevice implements FuseChannel {
    /** Read and write requests carry at most this many bytes of data (negotiated in INIT). */
    static final int MAX_WRITE = 1 << 20;

    private final int fd;
    private final Path mountPoint;

    private FuseDevice(int fd, Path mountPoint) {
        this.fd = fd;
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a new connection on {@code dir} (an existing directory). Root mounts itself:
     * {@code allow_other} lets every user read modfs; {@code default_permissions} has the kernel
     * check the modes we report, so only the owner and root get past the mode bits to write.
     * Any other user mounts through {@link Fusermount}: the mount is then theirs alone.
     */
    public static Outcome<FuseDevice> mount(Path dir, String name, int uid, int gid) {
        if (uid != 0) {
            Outcome<Integer> fd = Fusermount.mount(dir, "default_permissions,max_read=" + MAX_WRITE + ",fsname=" + name
                    + ",subtype=" + name);
            if (fd instanceof Outcome.Failed<Integer> f) {
                return f.cast();
            }
            return Outcome.done(new FuseDevice(((Outcome.Done<Integer>) fd).value(), dir));
        }
        int fd;
        try {
            fd = Libc.open("/dev/fuse", Libc.O_RDWR | Libc.O_CLOEXEC);
        } catch (LastErrorException e) {
            return Outcome.failed(e.getErrorCode(), "cannot open /dev/fuse");
        }
        String options = "fd=" + fd + ",rootmode=40755,user_id=" + uid + ",group_id=" + gid
                + ",allow_other,default_permissions,max_read=" + MAX_WRITE;
        try {
            Libc.mount(name, dir.toString(), "fuse." + name, Libc.MS_NOSUID | Libc.MS_NODEV, options);
        } catch (LastErrorException e) {
            Libc.close(fd);
            return Outcome.failed(e.getErrorCode(), "mount(2) refused");
        }
        return Outcome.done(new FuseDevice(fd, dir));
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** One request; -errno when the read failed (ENODEV: the filesystem was unmounted). */
    @Override
    public long read(ByteBuffer buffer) {
        try {
            return Libc.read(fd, buffer, buffer.capacity());
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /**
     * One reply. A reply to a request the kernel has given up on (the caller was killed) fails
     * with ENOENT; nobody is waiting for it, so that is not an error.
     */
    @Override
    public void write(ByteBuffer buffer, int length) {
        try {
            Libc.write(fd, buffer, length);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.ENOENT && e.getErrorCode() != Errno.ENODEV) {
                throw new IllegalStateException("writing a reply to /dev/fuse: errno " + e.getErrorCode(), e);
            }
        }
    }

    /** Closing the last descriptor aborts the connection if it is still mounted. */
    public void close() {
        Libc.close(fd);
    }
}

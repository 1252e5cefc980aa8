package modtools.cli.modfs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import modtools.deps.resolve.LinuxErrno;

/**
 * flock(2) on a mount point's pid file: mount and umount of one directory take it for their
 * whole decision (is it mounted, by whom, mount or stop), so two of them never act on the same
 * directory at once. A pid file can be deleted while a waiter holds it open; the waiter then
 * holds a lock nobody else can see, so after taking it we check that the path still names the
 * file we locked, and start again if not.
 */
final class MountLock implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CREAT = 0100;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;
    private static final int LOCK_EX = 2;
    private static final int ENOENT = 2;
    private static final int EINTR = 4;

    static {
        Native.register(MountLock.class, NativeLibrary.getProcess());
    }

    private final int fd;

    private MountLock(int fd) {
        this.fd = fd;
    }

    private static native int open(String path, int flags, int mode) throws LastErrorException;

    private static native int flock(int fd, int operation) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    /** Waits for the lock on {@code pidFile}, creating the file (empty) if it is missing. */
    static MountLock create(PidFile pidFile) throws IOException {
        return take(pidFile, true).orElseThrow();
    }

    /** Waits for the lock on {@code pidFile} if the file exists; empty if it does not. */
    static Optional<MountLock> ifExists(PidFile pidFile) throws IOException {
        return take(pidFile, false);
    }

    private static Optional<MountLock> take(PidFile pidFile, boolean create) throws IOException {
        String path = pidFile.path().toString();
        while (true) {
            int fd;
            try {
                // O_NOFOLLOW: a link planted beside a root-owned mount point must not get a file created elsewhere.
                fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
            } catch (LastErrorException e) {
                if (!create && e.getErrorCode() == ENOENT) {
                    return Optional.empty();
                }
                throw new IOException(path + ": " + LinuxErrno.strerror(e.getErrorCode()));
            }
            MountLock lock = new MountLock(fd);
            try {
                lock.waitForIt();
                if (lock.stillNames(pidFile.path())) {
                    return Optional.of(lock);
                }
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
            lock.close();
        }
    }

    private void waitForIt() throws IOException {
        while (true) {
            try {
                flock(fd, LOCK_EX);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new IOException("flock: " + LinuxErrno.strerror(e.getErrorCode()));
                }
            }
        }
    }

    /** Whether {@code path} is still the file this descriptor locks (not deleted or replaced meanwhile). */
    private boolean stillNames(Path path) throws IOException {
        try {
            Object locked = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
            Object named = Files.getAttribute(path, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return locked.equals(named);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Closing the descriptor drops the lock. */
    @Override
    public void close() {
        try {
            close(fd);
        } catch (LastErrorException e) {
            // The descriptor, and with it the lock, is gone either way.
        }
    }
}

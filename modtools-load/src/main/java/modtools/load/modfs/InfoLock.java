package modtools.load.modfs;

import java.nio.charset.StandardCharsets;

/**
 * An open descriptor on a module's {@code info} and the flock(2) held on it. A directory may
 * be removed and made again under the same name while a process waits for a lock, so every
 * holder checks with {@link #stillAt} that the file it locked is the one the name leads to
 * now: modfs never reuses an inode number.
 */
final class InfoLock implements AutoCloseable {
    private final String module;
    private final String path;
    private final int fd;
    private final long inode;
    private boolean closed;

    private InfoLock(String module, String path, int fd, long inode) {
        this.module = module;
        this.path = path;
        this.fd = fd;
        this.inode = inode;
    }

    /** Opens {@code info} for reading and writing; the lock is taken separately. */
    static InfoLock open(ModfsMount mount, String module) throws Sys.SysError {
        String path = mount.infoPath(module);
        int fd = Sys.openFile(path, Sys.O_RDWR, 0);
        try {
            return new InfoLock(module, path, fd, Sys.inode(fd));
        } catch (Sys.SysError e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    String module() {
        return module;
    }

    void exclusive() throws Sys.SysError {
        Sys.lock(fd, Sys.LOCK_EX);
    }

    void shared() throws Sys.SysError {
        Sys.lock(fd, Sys.LOCK_SH);
    }

    /** LOCK_EX | LOCK_NB: false when another descriptor holds a lock. */
    boolean tryExclusive() throws Sys.SysError {
        return tryLock(Sys.LOCK_EX);
    }

    /** LOCK_SH | LOCK_NB: false when another descriptor holds LOCK_EX. */
    boolean tryShared() throws Sys.SysError {
        return tryLock(Sys.LOCK_SH);
    }

    private boolean tryLock(int operation) throws Sys.SysError {
        try {
            Sys.lock(fd, operation | Sys.LOCK_NB);
            return true;
        } catch (Sys.SysError e) {
            if (e.errno == Sys.EAGAIN) {
                return false;
            }
            throw e;
        }
    }

    void unlock() throws Sys.SysError {
        Sys.lock(fd, Sys.LOCK_UN);
    }

    /** Whether the name still leads to the file this descriptor has open. */
    boolean stillAt() {
        try {
            return Sys.inode(path) == inode;
        } catch (Sys.SysError e) {
            return false;
        }
    }

    /** Replaces the file's contents: the info of a module that just went live. */
    void write(String text) throws Sys.SysError {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Sys.truncate(fd, 0);
        Sys.writeAt(fd, bytes, 0);
    }

    /** Closing the descriptor drops the lock. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Sys.closeQuietly(fd);
        }
    }
}

package modtools.load.modfs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import modtools.elf.jna.JnaBoot;

/**
 * The system calls the modfs client makes, bound by JNA's direct mapping, each throwing
 * {@link SysError} with the errno on failure: modfs answers a refused command by failing the
 * write(2) with a reason, and the loader passes that errno on as the kernel's answer.
 */
final class Sys {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_CLOEXEC = 02000000;
    static final int LOCK_SH = 1;
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int LOCK_UN = 8;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EEXIST = 17;
    /** struct stat on x86-64 and arm64 alike: st_dev (8 bytes), then st_ino (8 bytes). */
    private static final int STAT_SIZE = 256;
    private static final int ST_INO = 8;

    static {
        JnaBoot.prepare();
        // The process's own symbols, libc's among them: looking "c" up by name makes JNA search
        // the library path and run ldconfig -p, which costs a command more than its own work.
        Native.register(Sys.class, NativeLibrary.getProcess());
    }

    private Sys() {}

    private static native int open(String path, int flags, int mode) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native long pread(int fd, byte[] buffer, long count, long offset) throws LastErrorException;

    private static native long pwrite(int fd, byte[] buffer, long count, long offset) throws LastErrorException;

    private static native long write(int fd, byte[] buffer, long count) throws LastErrorException;

    private static native int ftruncate(int fd, long length) throws LastErrorException;

    private static native int flock(int fd, int operation) throws LastErrorException;

    private static native int mkdir(String path, int mode) throws LastErrorException;

    private static native int rmdir(String path) throws LastErrorException;

    private static native int unlink(String path) throws LastErrorException;

    private static native int stat(String path, byte[] buffer) throws LastErrorException;

    private static native int fstat(int fd, byte[] buffer) throws LastErrorException;

    /** A failed call and its errno. */
    static final class SysError extends Exception {
        final int errno;

        SysError(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    static int openFile(String path, int flags, int mode) throws SysError {
        try {
            return open(path, flags | O_CLOEXEC, mode);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
    }

    static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (LastErrorException e) {
            // Nothing is lost: the descriptor is gone either way.
        }
    }

    /** Reads from {@code offset} until {@code buffer} is full or the file ends; the count read. */
    static int readAt(int fd, byte[] buffer, long offset) throws SysError {
        int done = 0;
        while (done < buffer.length) {
            byte[] chunk = done == 0 ? buffer : new byte[buffer.length - done];
            long n;
            try {
                n = pread(fd, chunk, chunk.length, offset + done);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINTR) {
                    continue;
                }
                throw new SysError(e.getErrorCode());
            }
            if (n <= 0) {
                break;
            }
            if (chunk != buffer) {
                System.arraycopy(chunk, 0, buffer, done, (int) n);
            }
            done += (int) n;
        }
        return done;
    }

    /** Writes all of {@code data} at {@code offset}, in as few pwrite(2) calls as the file takes. */
    static void writeAt(int fd, byte[] data, long offset) throws SysError {
        int done = 0;
        while (done < data.length) {
            byte[] chunk = done == 0 ? data : java.util.Arrays.copyOfRange(data, done, data.length);
            try {
                done += (int) pwrite(fd, chunk, chunk.length, offset + done);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new SysError(e.getErrorCode());
                }
            }
        }
    }

    /** One write(2) of {@code data}: a command to a control file, whose answer is the write's. */
    static void writeOnce(int fd, byte[] data) throws SysError {
        try {
            write(fd, data, data.length);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
    }

    static void truncate(int fd, long length) throws SysError {
        try {
            ftruncate(fd, length);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
    }

    /** flock(2), retried when a signal interrupts a wait. */
    static void lock(int fd, int operation) throws SysError {
        while (true) {
            try {
                flock(fd, operation);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new SysError(e.getErrorCode());
                }
            }
        }
    }

    static void makeDirectory(String path) throws SysError {
        try {
            mkdir(path, 0755);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
    }

    static void removeDirectory(String path) throws SysError {
        try {
            rmdir(path);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
    }

    static void removeFile(String path) throws SysError {
        try {
            unlink(path);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
    }

    /** The inode number of a path; on modfs every node has its own, never reused. */
    static long inode(String path) throws SysError {
        byte[] buffer = new byte[STAT_SIZE];
        try {
            stat(path, buffer);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
        return inodeIn(buffer);
    }

    static long inode(int fd) throws SysError {
        byte[] buffer = new byte[STAT_SIZE];
        try {
            fstat(fd, buffer);
        } catch (LastErrorException e) {
            throw new SysError(e.getErrorCode());
        }
        return inodeIn(buffer);
    }

    private static long inodeIn(byte[] b) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = value << 8 | (b[ST_INO + i] & 0xff);
        }
        return value;
    }
}

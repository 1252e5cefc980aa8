package modtools.modfs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** System calls for the tests, so that they can assert on the errno a call fails with. */
final class Sys {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CREAT = 0100;
    static final int O_TRUNC = 01000;
    static final int LOCK_SH = 1;
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int LOCK_UN = 8;

    static {
        Native.register("libc.so.6");
    }

    private Sys() {}

    static native int open(String path, int flags, int mode) throws LastErrorException;

    static native long write(int fd, byte[] data, long count) throws LastErrorException;

    static native long pwrite(int fd, byte[] data, long count, long offset) throws LastErrorException;

    static native long read(int fd, byte[] data, long count) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int truncate(String path, long length) throws LastErrorException;

    static native int mkdir(String path, int mode) throws LastErrorException;

    static native int rmdir(String path) throws LastErrorException;

    static native int unlink(String path) throws LastErrorException;

    static native int rename(String from, String to) throws LastErrorException;

    static native int flock(int fd, int operation) throws LastErrorException;

    static native int pipe(int[] fds) throws LastErrorException;

    /** Per thread: the kernel checks permissions and FUSE reports the caller with this uid. */
    static native int setfsuid(int uid);

    static native int setfsgid(int gid);

    interface Call {
        void run() throws LastErrorException;
    }

    /** 0 if {@code call} succeeds, else the errno it failed with. */
    static int errno(Call call) {
        try {
            call.run();
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    /** The errno of writing {@code text} to {@code path} in one write(2), as {@code echo text > path} does. */
    static int writeFile(Path path, String text) {
        return writeFile(path, text.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    static int writeFile(Path path, byte[] bytes, long offset) {
        int fd;
        try {
            fd = open(path.toString(), O_WRONLY, 0);
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
        try {
            return errno(() -> pwrite(fd, bytes, bytes.length, offset));
        } finally {
            close(fd);
        }
    }
}

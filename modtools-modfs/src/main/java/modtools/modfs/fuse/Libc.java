package modtools.modfs.fuse;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;

/**
 * The system calls the protocol needs, bound by JNA's direct mapping (a native method per call,
 * no proxy), each throwing {@link LastErrorException} with errno on failure. Buffers are direct;
 * JNA passes them from their current position, so callers rewind them first.
 */
public final class Libc {
    /**
     * glibc by its soname: JNA opens a file name as it is, where a bare "c" costs a search
     * that ends in running {@code ldconfig -p}, a good part of the host's start.
     */
    public static final String LIBRARY = "libc.so.6";
    static final int O_RDWR = 02;
    static final int O_CLOEXEC = 02000000;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final int MNT_DETACH = 2;
    static final int F_OK = 0;

    static {
        Native.register(LIBRARY);
    }

    private Libc() {}

    static native int open(String path, int flags) throws LastErrorException;

    static native long read(int fd, ByteBuffer buffer, long count) throws LastErrorException;

    static native long write(int fd, ByteBuffer buffer, long count) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int mount(String source, String target, String type, long flags, String data)
            throws LastErrorException;

    static native int umount2(String target, int flags) throws LastErrorException;

    static native int access(String path, int mode) throws LastErrorException;

    static native int getuid();

    static native int getgid();

    static native int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;

    static native int dup(int fd) throws LastErrorException;

    static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

    /** Returns the error number itself (0 on success), as posix_spawn does, instead of setting errno. */
    static native int posix_spawnp(IntByReference pid, String file, Pointer fileActions, Pointer attributes,
            StringArray argv, StringArray envp);

    static native int waitpid(int pid, IntByReference status, int options) throws LastErrorException;
}

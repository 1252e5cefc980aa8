package modtools.cli.server;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * The socket calls the server makes, bound by JNA's direct mapping: the JDK's Unix-domain
 * channels can neither receive descriptors (SCM_RIGHTS) nor name the peer (SO_PEERCRED), and
 * a descriptor received must be written to as it is, not reopened by name, so that appending
 * and offsets stay the caller's (a pipe alone has neither, and is reopened to be written
 * without blocking). Every failure is a {@link SysError} with its errno.
 * Structure layouts are those of LP64 Linux (x86-64 and arm64 alike).
 */
final class Libc {
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SO_PEERCRED = 17;
    static final int SO_RCVTIMEO = 20;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CTRUNC = 8;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_DONTWAIT = 0x40;
    static final int O_WRONLY = 01;
    static final int O_NOCTTY = 0400;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    static final short POLLOUT = 4;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SHUT_RD = 0;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    private static final int PRIO_PROCESS = 0;
    /** sun_path's size in struct sockaddr_un. */
    static final int SUN_PATH = 108;

    static {
        // The process's own symbols, libc's among them, without a search of the library path.
        Native.register(Libc.class, NativeLibrary.getProcess());
    }

    private Libc() {}

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, byte[] address, int length) throws LastErrorException;

    private static native int listen(int fd, int backlog) throws LastErrorException;

    private static native int accept4(int fd, Pointer address, Pointer length, int flags) throws LastErrorException;

    private static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

    private static native long read(int fd, byte[] buffer, long count) throws LastErrorException;

    private static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

    private static native long send(int fd, byte[] buffer, long count, int flags) throws LastErrorException;

    private static native long send(int fd, Pointer buffer, long count, int flags) throws LastErrorException;

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int poll(Pointer fds, long count, int timeout) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int shutdown(int fd, int how) throws LastErrorException;

    private static native int getsockopt(int fd, int level, int name, int[] value, int[] length) throws LastErrorException;

    private static native int setsockopt(int fd, int level, int name, long[] value, int length) throws LastErrorException;

    private static native int getuid();

    private static native int gettid();

    private static native int setpriority(int which, int who, int priority) throws LastErrorException;

    /** A failed call and its errno. */
    static final class SysError extends Exception {
        final int errno;

        SysError(String call, int errno) {
            super(call + ": errno " + errno, null, false, false);
            this.errno = errno;
        }
    }

    static int uid() {
        return getuid();
    }

    /** The calling thread at nice 19 (Linux keeps a nice value per thread); left as it is if refused. */
    static void lowestPriorityForThisThread() {
        try {
            setpriority(PRIO_PROCESS, gettid(), 19);
        } catch (LastErrorException e) {
            // a seccomp filter or the like: the thread runs at the server's own priority
        }
    }

    /** A listening socket bound to {@code path}. */
    static int listenAt(String path, int backlog) throws SysError {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH) {
            throw new SysError("bind " + path + " (path too long)", 36);
        }
        byte[] address = new byte[2 + SUN_PATH];
        address[0] = (byte) AF_UNIX; // sa_family, little-endian, as on every LP64 Linux we run on
        System.arraycopy(name, 0, address, 2, name.length);
        int fd;
        try {
            fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new SysError("socket", e.getErrorCode());
        }
        try {
            bind(fd, address, address.length);
            listen(fd, backlog);
            return fd;
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new SysError("bind " + path, e.getErrorCode());
        }
    }

    static int accept(int fd) throws SysError {
        while (true) {
            try {
                return accept4(fd, null, null, SOCK_CLOEXEC);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new SysError("accept", e.getErrorCode());
                }
            }
        }
    }

    /** The peer's credentials: pid, uid, gid. */
    static int[] peerCredentials(int fd) throws SysError {
        int[] ucred = new int[3];
        try {
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, new int[] {12});
            return ucred;
        } catch (LastErrorException e) {
            throw new SysError("SO_PEERCRED", e.getErrorCode());
        }
    }

    /** Reads on {@code fd} fail with EAGAIN after {@code millis} (0: wait for ever). */
    static void receiveTimeout(int fd, long millis) throws SysError {
        try {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new long[] {millis / 1000, (millis % 1000) * 1000}, 16);
        } catch (LastErrorException e) {
            throw new SysError("SO_RCVTIMEO", e.getErrorCode());
        }
    }

    /** What one recvmsg(2) brought: the bytes and the descriptors (-1 in {@code fds}: more came than fit). */
    record Received(byte[] bytes, int[] fds, boolean truncated) {}

    /**
     * One recvmsg(2) of at most {@code max} bytes, with room for up to {@code maxFds}
     * descriptors; those beyond it the kernel closes and flags as truncated. Descriptors are
     * received close-on-exec, so no command's child inherits another caller's files.
     */
    static Received receive(int fd, int max, int maxFds) throws SysError {
        int controlLength = 16 + ((maxFds * 4 + 7) & ~7);
        try (Memory message = new Memory(56); Memory iov = new Memory(16); Memory data = new Memory(max);
             Memory control = new Memory(controlLength)) {
            message.clear();
            control.clear();
            iov.setPointer(0, data);
            iov.setLong(8, max);
            message.setPointer(16, iov);
            message.setLong(24, 1);
            message.setPointer(32, control);
            message.setLong(40, controlLength);
            long n;
            while (true) {
                try {
                    n = recvmsg(fd, message, MSG_CMSG_CLOEXEC);
                    break;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != EINTR) {
                        throw new SysError("recvmsg", e.getErrorCode());
                    }
                }
            }
            boolean truncated = (message.getInt(48) & MSG_CTRUNC) != 0;
            long usedControl = message.getLong(40);
            int[] fds = new int[0];
            if (usedControl >= 16) {
                long cmsgLength = control.getLong(0);
                int level = control.getInt(8);
                int type = control.getInt(12);
                int count = (int) Math.max(0, Math.min(cmsgLength, usedControl) - 16) / 4;
                fds = control.getIntArray(16, count);
                if (level != SOL_SOCKET || type != SCM_RIGHTS) {
                    truncated = true;
                }
            }
            return new Received(data.getByteArray(0, (int) n), fds, truncated);
        }
    }

    /** read(2) into {@code buffer} from {@code offset}; 0 at end of file. */
    static int read(int fd, byte[] buffer, int offset, int count) throws SysError {
        byte[] chunk = offset == 0 ? buffer : new byte[count];
        while (true) {
            try {
                int n = (int) read(fd, chunk, count);
                if (chunk != buffer) {
                    System.arraycopy(chunk, 0, buffer, offset, n);
                }
                return n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new SysError("read", e.getErrorCode());
                }
            }
        }
    }

    /** All of {@code count} bytes at {@code buffer} written to {@code fd}. */
    static void writeAll(int fd, Pointer buffer, long count) throws SysError {
        long done = 0;
        while (done < count) {
            try {
                done += write(fd, buffer.share(done), count - done);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new SysError("write", e.getErrorCode());
                }
            }
        }
    }

    /**
     * A description of its own of the pipe {@code fd} writes into, O_NONBLOCK (which set on the
     * caller's own description would reach every process sharing it, its shell's terminal
     * included); fails with ENXIO when the pipe has no reader.
     */
    static int reopenNonBlocking(int fd) throws SysError {
        try {
            return open("/proc/self/fd/" + fd, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SysError("open", e.getErrorCode());
        }
    }

    /**
     * One write(2) or, on a socket, send(2) that does not wait: the bytes written, 0 when there
     * is no room now.
     */
    static long writeNow(int fd, Pointer buffer, long count, boolean socket) throws SysError {
        while (true) {
            try {
                return socket ? send(fd, buffer, count, MSG_DONTWAIT | MSG_NOSIGNAL) : write(fd, buffer, count);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EAGAIN) {
                    return 0;
                }
                if (e.getErrorCode() != EINTR) {
                    throw new SysError(socket ? "send" : "write", e.getErrorCode());
                }
            }
        }
    }

    /** Waits up to {@code millis} for room to write on {@code fd}. */
    static void waitWritable(int fd, int millis) throws SysError {
        try (Memory pollfd = new Memory(8)) {
            pollfd.setInt(0, fd);
            pollfd.setShort(4, POLLOUT);
            pollfd.setShort(6, (short) 0);
            poll(pollfd, 1, millis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != EINTR) {
                throw new SysError("poll", e.getErrorCode());
            }
        }
    }

    /** A reply on a socket; a peer gone raises EPIPE here, never SIGPIPE. */
    static void sendAll(int fd, byte[] bytes) throws SysError {
        int done = 0;
        while (done < bytes.length) {
            byte[] rest = done == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, done, bytes.length);
            try {
                done += (int) send(fd, rest, rest.length, MSG_NOSIGNAL);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new SysError("send", e.getErrorCode());
                }
            }
        }
    }

    /** Wakes a thread blocked reading {@code fd}: its read returns end of file. */
    static void stopReading(int fd) {
        try {
            shutdown(fd, SHUT_RD);
        } catch (LastErrorException e) {
            // the peer is gone already: the reader has woken by itself
        }
    }

    /** Wakes the thread blocked in accept(2) on {@code fd}: its accept fails from now on. */
    static void shutdownListener(int fd) {
        try {
            shutdown(fd, 2);
        } catch (LastErrorException e) {
            // not listening any more
        }
    }

    static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (LastErrorException e) {
            // nothing left to release
        }
    }
}

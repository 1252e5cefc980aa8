package modtools.modfs.fuse;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mounting and unmounting as a user other than root, through libfuse's set-uid helper
 * {@code fusermount3}, as libfuse does: it opens /dev/fuse, mounts with the caller as the
 * mount's {@code user_id}, and passes the descriptor back over a socket named by
 * {@code _FUSE_COMMFD}. The mount is then the user's alone (no {@code allow_other}, which a
 * user may not ask for unless /etc/fuse.conf allows it), and only they or root unmount it.
 */
final class Fusermount {
    static final String PROGRAM = "fusermount3";
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    /** struct msghdr, struct iovec and one cmsghdr with an int, as on every LP64 Linux. */
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSG_HEADER = 16;
    private static final int CMSG_SPACE_INT = 24;

    private Fusermount() {}

    /** The descriptor of a new FUSE connection mounted on {@code dir} with {@code options}. */
    static Outcome<Integer> mount(Path dir, String options) {
        int[] pair = new int[2];
        try {
            Libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair);
        } catch (LastErrorException e) {
            return Outcome.failed(e.getErrorCode(), "socketpair(2) refused");
        }
        try {
            Outcome<Integer> helper = spawnWithSocket(pair[1], dir, options);
            // every copy of the helper's end closed here, so a helper that exits without
            // sending anything ends our read
            Libc.close(pair[1]);
            pair[1] = -1;
            if (helper instanceof Outcome.Failed<Integer> f) {
                return f;
            }
            int fd = receiveDescriptor(pair[0]);
            int status = waitFor(((Outcome.Done<Integer>) helper).value());
            if (status == 0 && fd >= 0) {
                return Outcome.done(fd);
            }
            if (fd >= 0) {
                Libc.close(fd);
            }
            return Outcome.failed(Errno.EPERM, PROGRAM + " refused the mount (exit status " + status + ")");
        } finally {
            Libc.close(pair[0]);
            if (pair[1] >= 0) {
                Libc.close(pair[1]);
            }
        }
    }

    /** The helper, started with a duplicate of {@code socket}: a duplicate is not close-on-exec. */
    private static Outcome<Integer> spawnWithSocket(int socket, Path dir, String options) {
        int theirs;
        try {
            theirs = Libc.dup(socket);
        } catch (LastErrorException e) {
            return Outcome.failed(e.getErrorCode(), "dup(2) refused");
        }
        try {
            return spawn(List.of(PROGRAM, "-o", options, "--", dir.toString()),
                    Map.of("_FUSE_COMMFD", Integer.toString(theirs)));
        } finally {
            Libc.close(theirs);
        }
    }

    /** {@code fusermount3 -u [-z] DIR}: only the user who mounted it (or root) may. */
    static Outcome<Void> unmount(Path dir, boolean lazy) {
        List<String> command = new ArrayList<>(List.of(PROGRAM, "-u", "-q"));
        if (lazy) {
            command.add("-z");
        }
        command.add(dir.toString());
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0 ? Outcome.done(null) : Outcome.failed(Errno.EPERM, PROGRAM + " -u refused");
        } catch (IOException e) {
            return Outcome.failed(Errno.ENOENT, PROGRAM + " cannot be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(Errno.EINTR, "interrupted");
        }
    }

    /**
     * posix_spawnp, not ProcessBuilder: the helper must inherit the socket under the number
     * {@code _FUSE_COMMFD} names, and Java closes every descriptor but 0, 1 and 2 in a child.
     * The helper's messages go to our stderr.
     */
    private static Outcome<Integer> spawn(List<String> argv, Map<String, String> extraEnv) {
        List<String> env = new ArrayList<>();
        System.getenv().forEach((k, v) -> {
            if (!extraEnv.containsKey(k)) {
                env.add(k + "=" + v);
            }
        });
        extraEnv.forEach((k, v) -> env.add(k + "=" + v));
        IntByReference pid = new IntByReference();
        int error = Libc.posix_spawnp(pid, argv.get(0), Pointer.NULL, Pointer.NULL,
                new StringArray(argv.toArray(new String[0])), new StringArray(env.toArray(new String[0])));
        if (error != 0) {
            return Outcome.failed(error, error == Errno.ENOENT ? PROGRAM + " is missing (Debian's package fuse3)"
                    : "cannot start " + PROGRAM);
        }
        return Outcome.done(pid.getValue());
    }

    /** One byte with the descriptor attached (SCM_RIGHTS); -1 if the helper sent none. */
    private static int receiveDescriptor(int socket) {
        Memory byteBuffer = new Memory(1);
        Memory iov = new Memory(16);
        iov.setPointer(0, byteBuffer);
        iov.setLong(8, 1);
        Memory control = new Memory(CMSG_SPACE_INT);
        control.clear();
        Memory message = new Memory(MSGHDR_SIZE);
        message.clear();
        message.setPointer(16, iov);
        message.setLong(24, 1);
        message.setPointer(32, control);
        message.setLong(40, CMSG_SPACE_INT);
        while (true) {
            try {
                if (Libc.recvmsg(socket, message, 0) <= 0) {
                    return -1;
                }
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    return -1;
                }
            }
        }
        boolean rights = message.getLong(40) >= CMSG_HEADER + 4 && control.getInt(8) == SOL_SOCKET
                && control.getInt(12) == SCM_RIGHTS;
        return rights ? control.getInt(CMSG_HEADER) : -1;
    }

    /** The helper's exit status; EIO's number when it did not exit normally. */
    private static int waitFor(int pid) {
        IntByReference status = new IntByReference();
        while (true) {
            try {
                Libc.waitpid(pid, status, 0);
                int raw = status.getValue();
                return (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : Errno.EIO;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    return Errno.EIO;
                }
            }
        }
    }
}

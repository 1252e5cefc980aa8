package modtools.load.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.charset.Charset;
import java.util.Optional;

/**
 * The kernel's three module calls — finit_module(2), init_module(2), delete_module(2) — and
 * the open/read/close that finit_module needs a descriptor from, through JNA. glibc wraps
 * none of the module calls under a name it declares, so they go through syscall(2) by number,
 * as kmod does. Each call answers a non-negative result or minus the errno, kmod's convention,
 * so callers deal in values.
 */
final class Syscalls {
    static final int O_RDONLY = 0;
    static final int O_TRUNC = 01000;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    static final int MODULE_INIT_IGNORE_MODVERSIONS = 1;
    static final int MODULE_INIT_IGNORE_VERMAGIC = 2;
    static final int MODULE_INIT_COMPRESSED_FILE = 4;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    /** The numbers of the module calls on one architecture. */
    record Numbers(long initModule, long deleteModule, long finitModule) {
        /** By Java's os.arch; empty where we do not know them. */
        static Optional<Numbers> of(String arch) {
            return switch (arch) {
                case "amd64", "x86_64" -> Optional.of(new Numbers(175, 176, 313));
                case "aarch64" -> Optional.of(new Numbers(105, 106, 273));
                default -> Optional.empty();
            };
        }
    }

    /** The C library functions used, as JNA binds them; strings go as NUL-terminated bytes. */
    private interface LibC extends Library {
        int open(byte[] path, int flags);

        long read(int fd, byte[] buffer, long count);

        int close(int fd);

        long syscall(long number, Object... args);
    }

    private final LibC libc;
    private final Numbers numbers;
    /** Paths, names and parameters come from the command line, which Java decoded with this. */
    private final Charset charset;

    private Syscalls(LibC libc, Numbers numbers, Charset charset) {
        this.libc = libc;
        this.numbers = numbers;
        this.charset = charset;
    }

    /** Binds the C library (JNA unpacks its native part on first use, so only loading pays for it). */
    static Syscalls bind(Numbers numbers) {
        String jnu = System.getProperty("sun.jnu.encoding");
        Charset charset = jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
        return new Syscalls(Native.load("c", LibC.class), numbers, charset);
    }

    int open(String path, int flags) {
        int fd = libc.open(cString(path), flags);
        return fd < 0 ? -Native.getLastError() : fd;
    }

    /**
     * kmod's read_str_safe: reads until the buffer is full or the file ends, retrying
     * interrupted reads; the count read, or minus the errno.
     */
    int readFully(int fd, byte[] buffer) {
        int done = 0;
        while (done < buffer.length) {
            byte[] chunk = new byte[buffer.length - done];
            long r = libc.read(fd, chunk, chunk.length);
            if (r == 0) {
                break;
            }
            if (r < 0) {
                int errno = Native.getLastError();
                if (errno == EINTR || errno == EAGAIN) {
                    continue;
                }
                return -errno;
            }
            System.arraycopy(chunk, 0, buffer, done, (int) r);
            done += (int) r;
        }
        return done;
    }

    void close(int fd) {
        libc.close(fd);
    }

    int finitModule(int fd, String params, int flags) {
        return result(libc.syscall(numbers.finitModule(), (long) fd, cString(params), (long) flags));
    }

    int initModule(Memory image, String params) {
        return result(libc.syscall(numbers.initModule(), image, image.size(), cString(params)));
    }

    int deleteModule(String name, int flags) {
        return result(libc.syscall(numbers.deleteModule(), cString(name), (long) flags));
    }

    private static int result(long r) {
        return r < 0 ? -Native.getLastError() : (int) r;
    }

    private byte[] cString(String s) {
        byte[] bytes = s.getBytes(charset);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return terminated;
    }
}

package modtools.modfs.host;

/**
 * The host's taint, as {@code /proc/sys/kernel/tainted}: a bit mask, read from the root file
 * {@code taint}. Only TAINT_DIE ('D', "kernel has oopsed before") is ever set here: after a
 * module faulted, what it left in the process's memory can no longer be vouched for.
 */
public final class Taint {
    /** include/linux/panic.h: TAINT_DIE is bit 7. */
    public static final int DIE = 1 << 7;
    private int flags;
    private int oopses;

    /** Marks an oops; the number of this one, counting from 1 as the kernel's {@code [#N]} does. */
    public synchronized int oops() {
        flags |= DIE;
        return ++oopses;
    }

    public synchronized byte[] render() {
        return (flags + "\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}

package modtools.deps;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * glibc through JNA, switched to the C locale for the calling thread while open: kmod never
 * calls setlocale, so fnmatch and regex behave there as in the C locale, and the tests that
 * compare our Fnmatch and PosixEre with glibc must ask glibc the same way.
 */
public final class CLocaleLibc implements AutoCloseable {
    /** The glibc functions the comparisons call. */
    public interface LibC extends Library {
        int fnmatch(byte[] pattern, byte[] string, int flags);

        int regcomp(Pointer preg, byte[] pattern, int cflags);

        int regexec(Pointer preg, byte[] string, long nmatch, Pointer pmatch, int eflags);

        void regfree(Pointer preg);

        Pointer newlocale(int mask, String locale, Pointer base);

        Pointer uselocale(Pointer locale);

        void freelocale(Pointer locale);
    }

    private static final int LC_CTYPE_MASK = 1;
    private static final int LC_COLLATE_MASK = 1 << 3;

    private final LibC libc;
    private final Pointer locale;
    private final Pointer previous;

    private CLocaleLibc(LibC libc, Pointer locale) {
        this.libc = libc;
        this.locale = locale;
        this.previous = libc.uselocale(locale);
    }

    /** Skips the test where glibc cannot be reached through JNA. */
    public static CLocaleLibc open() {
        LibC libc;
        try {
            libc = Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) {
            assumeTrue(false, "no C library through JNA: " + e.getMessage());
            throw e;
        }
        Pointer c = libc.newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C", null);
        assumeTrue(c != null, "no C locale object");
        return new CLocaleLibc(libc, c);
    }

    public LibC libc() {
        return libc;
    }

    @Override
    public void close() {
        libc.uselocale(previous);
        libc.freelocale(locale);
    }
}

package modtools.modfs.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import modtools.contract.ImageHeader;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.Libc;
import modtools.modfs.fuse.Outcome;

/**
 * Module memory from mmap(2): reserved below 2 GiB, so that code compiled with
 * -mcmodel=small reaches every address in it with a sign-extended 32-bit value; protected W^X
 * once the module runs; its tail given back when init code is dropped.
 */
public final class Memory {
    public static final long PAGE = 4096;
    /** Everything a module occupies must end below this address. */
    public static final long LIMIT = 1L << 31;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int PROT_EXEC = 4;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_32BIT = 0x40;
    private static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** Where the search by hint starts when MAP_32BIT's window (the second GiB) is full. */
    private static final long FIRST_HINT = 0x10000000L;
    private static final long HINT_STEP = 0x1000000L;

    static {
        Native.register(Libc.LIBRARY);
    }

    private Memory() {}

    private static native Pointer mmap(Pointer address, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    private static native int munmap(Pointer address, long length) throws LastErrorException;

    private static native int mprotect(Pointer address, long length, int prot) throws LastErrorException;

    public static long pageUp(long n) {
        return (n + PAGE - 1) & -PAGE;
    }

    /**
     * Zeroed, writable memory for {@code size} bytes, wholly below 2 GiB: MAP_32BIT first, then
     * MAP_FIXED_NOREPLACE at hints climbing from 256 MiB, which never takes over another mapping.
     */
    public static Outcome<Mapping> reserve(long size) {
        long length = pageUp(size);
        if (size <= 0 || length >= LIMIT) {
            return Outcome.failed(Errno.ENOMEM, size + " bytes cannot be mapped below 2 GiB");
        }
        Mapping m = tryMap(null, length, MAP_32BIT);
        if (m != null && m.end() <= LIMIT) {
            return Outcome.done(m);
        }
        if (m != null) {
            release(m);
        }
        for (long hint = FIRST_HINT; hint + length <= LIMIT; hint += HINT_STEP) {
            m = tryMap(new Pointer(hint), length, MAP_FIXED_NOREPLACE);
            if (m != null && m.address() == hint) {
                return Outcome.done(m);
            }
            if (m != null) {
                release(m); // a kernel without MAP_FIXED_NOREPLACE took the hint as a suggestion
            }
        }
        return Outcome.failed(Errno.ENOMEM, "no room for " + length + " bytes below 2 GiB");
    }

    private static Mapping tryMap(Pointer hint, long length, int flags) {
        try {
            Pointer p = mmap(hint, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
            long address = Pointer.nativeValue(p);
            return address == -1 ? null : new Mapping(address, length);
        } catch (LastErrorException e) {
            return null;
        }
    }

    public static void release(Mapping m) {
        if (m.length() > 0) {
            munmap(new Pointer(m.address()), m.length());
        }
    }

    /** The pages past {@code keep} bytes go back to the system; the smaller mapping is returned. */
    public static Mapping shrink(Mapping m, long keep) {
        long kept = pageUp(keep);
        if (kept < m.length()) {
            munmap(new Pointer(m.address() + kept), m.length() - kept);
        }
        return new Mapping(m.address(), Math.min(kept, m.length()));
    }

    /** A view of {@code length} bytes at {@code offset}; only while those pages are writable. */
    public static ByteBuffer view(Mapping m, long offset, int length) {
        return new Pointer(m.address() + offset).getByteBuffer(0, length);
    }

    public static void zero(Mapping m, long offset, long length) {
        new Pointer(m.address() + offset).setMemory(0, length, (byte) 0);
    }

    /** Everything readable and writable again: the module no longer runs. */
    public static void unprotect(Mapping m) {
        if (m.length() > 0) {
            mprotect(new Pointer(m.address()), m.length(), PROT_READ | PROT_WRITE);
        }
    }

    /**
     * W^X by the header's regions: code read+execute, read-only data read-only, the rest
     * read+write; nothing is ever writable and executable at once.
     */
    public static Outcome<Void> protect(Mapping m, ImageHeader h) {
        long base = m.address();
        long core = base + pageUp(h.coreSize());
        long[][] regions = {
            {base, h.textEnd(), PROT_READ | PROT_EXEC},
            {h.textEnd(), h.rodataEnd(), PROT_READ},
            {h.rodataEnd(), core, PROT_READ | PROT_WRITE},
            {core, h.initTextEnd(), PROT_READ | PROT_EXEC},
            {h.initTextEnd(), m.end(), PROT_READ | PROT_WRITE},
        };
        for (long[] r : regions) {
            long start = pageUp(r[0]);
            long end = Math.min(pageUp(r[1]), m.end());
            if (end <= start) {
                continue;
            }
            try {
                mprotect(new Pointer(start), end - start, (int) r[2]);
            } catch (LastErrorException e) {
                return Outcome.failed(e.getErrorCode(), String.format("mprotect 0x%x..0x%x", start, end));
            }
        }
        return Outcome.done(null);
    }
}

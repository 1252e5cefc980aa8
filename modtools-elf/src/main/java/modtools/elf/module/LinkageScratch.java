package modtools.elf.module;

/**
 * The arrays a reader of many modules on one thread reuses from one module's
 * {@link KernelModule#linkage(LinkageScratch)} to the next: the copies of its symbol string
 * table and of its {@code __versions} table, grown to the largest seen. Fresh copies per
 * module were a seventh of what depmod allocated on Debian 12's tree.
 */
public final class LinkageScratch {
    private byte[] names = new byte[0];
    private byte[] versions = new byte[0];

    /** An array of at least {@code length} bytes for a string table, reused by the next call. */
    byte[] names(int length) {
        if (names.length < length) {
            names = new byte[grown(names.length, length)];
        }
        return names;
    }

    /** An array of at least {@code length} bytes for a {@code __versions} table, reused likewise. */
    byte[] versions(int length) {
        if (versions.length < length) {
            versions = new byte[grown(versions.length, length)];
        }
        return versions;
    }

    private static int grown(int now, int needed) {
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, (long) now * 3 / 2));
    }
}

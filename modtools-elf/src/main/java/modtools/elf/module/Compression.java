package modtools.elf.module;

import java.nio.ByteBuffer;

/**
 * How a module file is stored. kmod tells by the first bytes, not by the name: a {@code .ko.xz}
 * holding a plain object is read as plain, and an unknown magic means "not compressed".
 */
public enum Compression {
    NONE(".ko", new byte[0]),
    ZSTD(".ko.zst", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
    XZ(".ko.xz", new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}),
    GZIP(".ko.gz", new byte[] {0x1f, (byte) 0x8b});

    /**
     * kmod reads this many bytes (its longest magic) before deciding, and fails a file that is
     * shorter, even a plain one.
     */
    public static final int MAGIC_PROBE_SIZE = 6;

    private final String extension;
    private final byte[] magic;

    Compression(String extension, byte[] magic) {
        this.extension = extension;
        this.magic = magic;
    }

    /** The file name ending kmod expects for this kind of module. */
    public String extension() {
        return extension;
    }

    /** The compression whose magic starts {@code contents} (from its position), or NONE. */
    public static Compression of(ByteBuffer contents) {
        for (Compression c : values()) {
            if (c != NONE && startsWith(contents, c.magic)) {
                return c;
            }
        }
        return NONE;
    }

    private static boolean startsWith(ByteBuffer contents, byte[] prefix) {
        if (contents.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (contents.get(contents.position() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

package modtools.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The one accessor every ELF structure is read through: a window over a (usually mapped)
 * buffer, with absolute reads that check offset, length and overflow before touching a byte.
 * Reads never copy the buffer; a failed check names the file, the structure and the offset.
 */
public final class ByteView {
    private final String file;
    private final ByteBuffer buffer;
    private final long base;
    private final long size;

    private ByteView(String file, ByteBuffer buffer, long base, long size) {
        this.file = file;
        this.buffer = buffer;
        this.base = base;
        this.size = size;
    }

    public static ByteView of(String file, ByteBuffer buffer, ByteOrder order) {
        ByteBuffer own = buffer.duplicate().order(order);
        return new ByteView(file, own, own.position(), own.remaining());
    }

    public String file() { return file; }

    public long size() { return size; }

    public ByteOrder order() { return buffer.order(); }

    /** The same bytes read with another byte order. */
    public ByteView withOrder(ByteOrder order) {
        return new ByteView(file, buffer.duplicate().order(order), base, size);
    }

    /** Fails unless [offset, offset+length) lies inside this view; returns the absolute buffer index. */
    private int check(long offset, long length, String what) throws ElfFormatException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new ElfFormatException(file, what, offset,
                    length + " bytes do not fit in " + size + " bytes");
        }
        return (int) (base + offset);
    }

    public boolean contains(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    public int u8(long offset, String what) throws ElfFormatException {
        return buffer.get(check(offset, 1, what)) & 0xff;
    }

    public int u16(long offset, String what) throws ElfFormatException {
        return buffer.getShort(check(offset, 2, what)) & 0xffff;
    }

    public long u32(long offset, String what) throws ElfFormatException {
        return buffer.getInt(check(offset, 4, what)) & 0xffffffffL;
    }

    public int s32(long offset, String what) throws ElfFormatException {
        return buffer.getInt(check(offset, 4, what));
    }

    public long u64(long offset, String what) throws ElfFormatException {
        return buffer.getLong(check(offset, 8, what));
    }

    /** A 32- or 64-bit word, as ELF class decides. */
    public long word(long offset, boolean is64, String what) throws ElfFormatException {
        return is64 ? u64(offset, what) : u32(offset, what);
    }

    /** A signed word of the ELF class (addends). */
    public long sword(long offset, boolean is64, String what) throws ElfFormatException {
        return is64 ? u64(offset, what) : s32(offset, what);
    }

    public ByteView slice(long offset, long length, String what) throws ElfFormatException {
        int at = check(offset, length, what);
        return new ByteView(file, buffer, at, length);
    }

    /** A NUL-terminated string starting at offset; the terminator must lie inside the view. */
    public String cstring(long offset, String what) throws ElfFormatException {
        int start = check(offset, 0, what);
        // Most names are short: one bulk copy finds the NUL and holds the text.
        int first = (int) Math.min(SCAN_CHUNK, base + size - start);
        byte[] chunk = new byte[first];
        buffer.get(start, chunk, 0, first);
        for (int i = 0; i < first; i++) {
            if (chunk[i] == 0) {
                return new String(chunk, 0, i, StandardCharsets.ISO_8859_1);
            }
        }
        int length = scanToNul(start);
        if (length < 0) {
            throw new ElfFormatException(file, what, offset, "string is not NUL-terminated");
        }
        return ascii(start, length);
    }

    private static final int SCAN_CHUNK = 64;

    /**
     * Length of the NUL-terminated string at the absolute index, or -1 when the view ends
     * first. Reads in small bulk copies: byte-at-a-time access to a mapped buffer costs a
     * bounds and scope check per byte, and symbol names are read by the million.
     */
    private int scanToNul(int start) {
        int end = (int) (base + size);
        byte[] chunk = new byte[SCAN_CHUNK];
        for (int at = start; at < end; at += SCAN_CHUNK) {
            int n = Math.min(SCAN_CHUNK, end - at);
            buffer.get(at, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                if (chunk[i] == 0) {
                    return at - start + i;
                }
            }
        }
        return -1;
    }

    /**
     * Fails unless the view is empty or ends in NUL, as the kernel and kmod require of string
     * tables. Without it every name in a damaged table scans to the table's end, which for
     * tens of thousands of names is quadratic work on a few megabytes of input.
     */
    public ByteView requireTerminated(String what) throws ElfFormatException {
        if (size > 0 && buffer.get((int) (base + size - 1)) != 0) {
            throw new ElfFormatException(file, what, size - 1, "string table does not end in NUL");
        }
        return this;
    }

    /** Length of the NUL-terminated string at offset, or -1 when it runs to the end. */
    public int cstringLength(long offset) {
        if (offset < 0 || offset >= size) {
            return -1;
        }
        return scanToNul((int) (base + offset));
    }

    /** Bytes as text; ELF names are byte strings, ISO-8859-1 keeps every byte. */
    public String string(long offset, int length, String what) throws ElfFormatException {
        return ascii(check(offset, length, what), length);
    }

    private String ascii(int at, int length) {
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    public byte[] bytes(long offset, int length, String what) throws ElfFormatException {
        int at = check(offset, length, what); // before allocating: length may come from a damaged file
        byte[] out = new byte[length];
        buffer.get(at, out);
        return out;
    }

    /** Copies {@code length} bytes from {@code offset} into {@code into[0, length)}. */
    public void copyTo(long offset, byte[] into, int length, String what) throws ElfFormatException {
        buffer.get(check(offset, length, what), into, 0, length);
    }

    public boolean startsWith(long offset, byte[] prefix) {
        if (!contains(offset, prefix.length)) {
            return false;
        }
        int at = (int) (base + offset);
        for (int i = 0; i < prefix.length; i++) {
            if (buffer.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** A read-only ByteBuffer over this view, for libraries that want one. */
    public ByteBuffer asBuffer() {
        return buffer.slice((int) base, (int) size).order(buffer.order()).asReadOnlyBuffer();
    }
}

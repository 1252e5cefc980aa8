package modtools.elf.module;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import modtools.elf.ElfFormatException;

/**
 * The {@code __versions} table as the loader and kmod match it against undefined symbols:
 * by name, the first entry of a name winning. Names are compared as bytes against the symbol
 * string table, so matching a module's imports makes no string and no map entry per entry.
 */
final class VersionTable {
    static final int ENTRY_SIZE = 64;

    private final byte[] table;
    private final ByteBuffer words;
    private final int crcSize;
    private final int count;
    /** Open addressing over entry index + 1; 0 is an empty slot. */
    private final int[] slots;
    private final int mask;
    private final int[] nameStart;
    private final int[] nameLength;

    /**
     * The table in {@code table[0, length)}, whole entries: {@code length} is a multiple of
     * {@link #ENTRY_SIZE}. The array is the table's until it is dropped.
     */
    VersionTable(byte[] table, int length, boolean is64, ByteOrder order, String file) throws ElfFormatException {
        this.table = table;
        this.words = ByteBuffer.wrap(table).order(order);
        this.crcSize = is64 ? 8 : 4;
        this.count = length / ENTRY_SIZE;
        this.nameStart = new int[count];
        this.nameLength = new int[count];
        this.mask = Integer.highestOneBit(Math.max(1, count) * 2) * 2 - 1;
        this.slots = new int[mask + 1];
        for (int i = 0; i < count; i++) {
            int start = i * ENTRY_SIZE + crcSize;
            int end = start;
            while (end < (i + 1) * ENTRY_SIZE && table[end] != 0) {
                end++;
            }
            if (end == (i + 1) * ENTRY_SIZE) {
                throw new ElfFormatException(file, "__versions name", 0, "string is not NUL-terminated");
            }
            if (end > start && table[start] == '.') {
                start++; // PowerPC64 ELFv1 records function descriptors as ".name"
            }
            nameStart[i] = start;
            nameLength[i] = end - start;
            insert(i);
        }
    }

    private void insert(int entry) {
        int slot = hash(table, nameStart[entry], nameLength[entry]) & mask;
        while (slots[slot] != 0) {
            if (sameName(slots[slot] - 1, table, nameStart[entry], nameLength[entry])) {
                return; // the first entry of a name is the one matched
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = entry + 1;
    }

    int size() {
        return count;
    }

    /** The entry named by {@code bytes[start, start + length)}, or -1. */
    int find(byte[] bytes, int start, int length) {
        int slot = hash(bytes, start, length) & mask;
        for (int e = slots[slot]; e != 0; e = slots[slot]) {
            if (sameName(e - 1, bytes, start, length)) {
                return e - 1;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    long crc(int entry) {
        int at = entry * ENTRY_SIZE;
        return crcSize == 8 ? words.getLong(at) : words.getInt(at) & 0xffffffffL;
    }

    String name(int entry) {
        return new String(table, nameStart[entry], nameLength[entry], StandardCharsets.ISO_8859_1);
    }

    private boolean sameName(int entry, byte[] bytes, int start, int length) {
        return nameLength[entry] == length
                && Arrays.equals(table, nameStart[entry], nameStart[entry] + length, bytes, start, start + length);
    }

    private static int hash(byte[] bytes, int start, int length) {
        int h = 0;
        for (int i = start; i < start + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h ^ (h >>> 16);
    }
}

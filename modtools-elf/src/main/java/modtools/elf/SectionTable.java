package modtools.elf;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The section header table, decoded one header at a time when asked for. Finding a section
 * by name compares the name's bytes in place, so a tool that needs four sections of a
 * module with sixty decodes four headers, not sixty; depmod does that for thousands of modules.
 */
final class SectionTable {
    private final ByteView file;
    private final boolean is64;
    private final long offset;
    private final long entrySize;
    private final int count;
    /** The section name string table, checked to end in NUL; null when the file names none. */
    private final ByteView names;
    private final Section[] decoded;
    private List<Section> all;

    private SectionTable(ByteView file, boolean is64, long offset, long entrySize, int count, ByteView names) {
        this.file = file;
        this.is64 = is64;
        this.offset = offset;
        this.entrySize = entrySize;
        this.count = count;
        this.names = names;
        this.decoded = new Section[count];
    }

    /** Checks that the table and its name table lie inside the file; decodes nothing else yet. */
    static SectionTable read(ByteView v, ElfHeader h, RangeLoader loader) throws ElfFormatException {
        if (h.sectionHeaderOffset() == 0) {
            return new SectionTable(v, h.is64(), 0, 0, 0, null);
        }
        int minimum = h.is64() ? 64 : 40;
        if (h.sectionHeaderEntrySize() < minimum) {
            throw new ElfFormatException(v.file(), "ELF header e_shentsize", h.is64() ? 58 : 46,
                    "section header size " + h.sectionHeaderEntrySize() + " is smaller than " + minimum);
        }
        long shoff = h.sectionHeaderOffset();
        long shentsize = h.sectionHeaderEntrySize();
        loader.load(shoff, shentsize); // section 0, which may hold the count and the name table's index
        // With more sections than e_shnum can hold, the real count lives in section 0's sh_size.
        long count = h.sectionCount();
        if (count == 0) {
            count = v.word(shoff + (h.is64() ? 32 : 20), h.is64(), "section header 0 sh_size (section count)");
        }
        if (count < 0 || count > (v.size() - Math.min(shoff, v.size())) / shentsize) {
            throw new ElfFormatException(v.file(), "section header table", shoff,
                    count + " headers of " + shentsize + " bytes do not fit in the file");
        }
        int n = (int) count;
        loader.load(shoff, n * shentsize);
        long nameIndex = h.sectionNameTableIndex();
        if (nameIndex == Elf.SHN_XINDEX) {
            nameIndex = v.u32(shoff + (h.is64() ? 40 : 24), "section header 0 sh_link (name table index)");
        }
        ByteView names = null;
        if (n > 0 && nameIndex != Elf.SHN_UNDEF) {
            if (nameIndex >= n) {
                throw new ElfFormatException(v.file(), "ELF header e_shstrndx", shoff,
                        "section name table index " + nameIndex + " is out of range (" + n + " sections)");
            }
            SectionTable bare = new SectionTable(v, h.is64(), shoff, shentsize, n, null);
            Section s = bare.decode((int) nameIndex);
            String what = "section name table (section " + nameIndex + ")";
            if (v.contains(s.offset(), s.fileSize())) {
                loader.load(s.offset(), s.fileSize());
            }
            names = v.slice(s.offset(), s.fileSize(), what).requireTerminated(what);
        }
        return new SectionTable(v, h.is64(), shoff, shentsize, n, names);
    }

    int count() {
        return count;
    }

    Section get(int index) throws ElfFormatException {
        Section s = decoded[index];
        if (s == null) {
            s = decode(index);
            decoded[index] = s;
        }
        return s;
    }

    List<Section> all() throws ElfFormatException {
        if (all == null) {
            Section[] out = new Section[count];
            for (int i = 0; i < count; i++) {
                out[i] = get(i);
            }
            all = List.of(out);
        }
        return all;
    }

    /** The index of the first section named {@code name}, or -1. */
    int indexOf(String name) throws ElfFormatException {
        if (names == null) {
            return name.isEmpty() && count > 0 ? 0 : -1;
        }
        byte[] key = (name + '\0').getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < count; i++) {
            long nameOffset = file.u32(headerAt(i), "section header");
            if (names.startsWith(nameOffset, key)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first section of {@code type} (and sh_link {@code link}, unless -1), or -1. */
    int indexOfType(int type, int link) throws ElfFormatException {
        for (int i = 0; i < count; i++) {
            long at = headerAt(i);
            if (file.s32(at + 4, "section header") == type
                    && (link < 0 || file.s32(at + (is64 ? 40 : 24), "section header") == link)) {
                return i;
            }
        }
        return -1;
    }

    private long headerAt(int index) {
        return offset + index * entrySize;
    }

    private Section decode(int index) throws ElfFormatException {
        ByteView v = file;
        long at = headerAt(index);
        String what = "section header";
        long nameOffset = v.u32(at, what);
        String name = names == null ? "" : names.cstring(nameOffset, "section name");
        if (is64) {
            return new Section(index, name, v.s32(at + 4, what), v.u64(at + 8, what), v.u64(at + 16, what),
                    v.u64(at + 24, what), v.u64(at + 32, what), v.s32(at + 40, what), v.s32(at + 44, what),
                    v.u64(at + 48, what), v.u64(at + 56, what));
        }
        return new Section(index, name, v.s32(at + 4, what), v.u32(at + 8, what), v.u32(at + 12, what),
                v.u32(at + 16, what), v.u32(at + 20, what), v.s32(at + 24, what), v.s32(at + 28, what),
                v.u32(at + 32, what), v.u32(at + 36, what));
    }
}

package modtools.elf;

import java.util.ArrayList;
import java.util.List;

/**
 * A symbol table section with its string table and, when present, its SHT_SYMTAB_SHNDX
 * companion. Entries are decoded one at a time so a caller looking for a handful of symbols
 * does not pay for thousands.
 */
public final class SymbolTable {
    // Constant descriptions: these reads run millions of times and the offset in a failure
    // already says which entry it was.
    private static final String ENTRY = "symbol table entry";
    private static final String NAME = "symbol name";

    private final ElfFile elf;
    private final Section section;
    private final ByteView entries;
    private final ByteView names;
    private final ByteView extendedIndexes;
    private final int entrySize;
    private final int count;

    private SymbolTable(ElfFile elf, Section section, ByteView entries, ByteView names,
                        ByteView extendedIndexes, int entrySize) {
        this.elf = elf;
        this.section = section;
        this.entries = entries;
        this.names = names;
        this.extendedIndexes = extendedIndexes;
        this.entrySize = entrySize;
        this.count = (int) (entries.size() / entrySize);
    }

    static SymbolTable read(ElfFile elf, Section table) throws ElfFormatException {
        String what = "symbol table " + table.index() + " (" + table.name() + ")";
        int entrySize = elf.is64() ? 24 : 16;
        ByteView entries = elf.data(table);
        Section strings = elf.section(table.link(), what + " sh_link");
        ByteView names = elf.data(strings).requireTerminated(what + " string table (section " + strings.index() + ")");
        ByteView extended = null;
        java.util.Optional<Section> indexes = elf.sectionLinkedTo(Elf.SHT_SYMTAB_SHNDX, table.index());
        if (indexes.isPresent()) {
            extended = elf.data(indexes.get());
        }
        return new SymbolTable(elf, table, entries, names, extended, entrySize);
    }

    public Section section() {
        return section;
    }

    public int size() {
        return count;
    }

    public Symbol get(int index) throws ElfFormatException {
        long at = entryOffset(index);
        String what = "symbol " + index + " of " + section.name();
        ByteView v = entries;
        boolean is64 = elf.is64();
        long value = is64 ? v.u64(at + 8, what) : v.u32(at + 4, what);
        long size = is64 ? v.u64(at + 16, what) : v.u32(at + 8, what);
        int info = info(index);
        int other = v.u8(at + (is64 ? 5 : 13), what);
        return new Symbol(index, name(index), value, size, info >> 4, info & 0xf, other & 0x3, sectionIndex(index));
    }

    /** The fields one at a time, for scans over thousands of symbols that want one or two of them. */
    public int info(int index) throws ElfFormatException {
        return entries.u8(entryOffset(index) + (elf.is64() ? 4 : 12), ENTRY);
    }

    public long value(int index) throws ElfFormatException {
        long at = entryOffset(index);
        return elf.is64() ? entries.u64(at + 8, ENTRY) : entries.u32(at + 4, ENTRY);
    }

    /** st_shndx, resolved through SHT_SYMTAB_SHNDX when it says SHN_XINDEX. */
    public int sectionIndex(int index) throws ElfFormatException {
        int shndx = entries.u16(entryOffset(index) + (elf.is64() ? 6 : 14), ENTRY);
        if (shndx != Elf.SHN_XINDEX) {
            return shndx;
        }
        String what = "symbol " + index + " of " + section.name();
        if (extendedIndexes == null) {
            throw new ElfFormatException(elf.file(), what, section.offset() + entryOffset(index),
                    "SHN_XINDEX without a SHT_SYMTAB_SHNDX section");
        }
        int extended = extendedIndexes.s32((long) index * 4, what + " extended section index");
        if (extended < 0) {
            // An Elf32_Word of 2^31 or more: no object has that many sections, and as a Java index it is negative.
            throw new ElfFormatException(elf.file(), what, section.offset() + entryOffset(index),
                    "extended section index " + Integer.toUnsignedString(extended) + " is out of range");
        }
        return extended;
    }

    public String name(int index) throws ElfFormatException {
        return names.cstring(nameOffset(index), NAME);
    }

    /** Whether the symbol's name starts with {@code prefix}, without decoding the name. */
    public boolean nameStartsWith(int index, byte[] prefix) throws ElfFormatException {
        return names.startsWith(nameOffset(index), prefix);
    }

    /** Whether the symbol's name is empty, without decoding it. */
    public boolean nameIsEmpty(int index) throws ElfFormatException {
        long offset = nameOffset(index);
        return names.u8(offset, NAME) == 0;
    }

    /** The string table's length in bytes, for sizing the array {@link #copyNames} fills. */
    public int namesLength() {
        return (int) names.size();
    }

    /**
     * Copies the string table into {@code into[0, namesLength())}, for scans over every
     * symbol's name: a heap array is read a byte at a time far faster than a mapped buffer. The
     * table ends in NUL (checked when the table was read), so a scan from any offset inside it
     * stops inside it.
     */
    public void copyNames(byte[] into) throws ElfFormatException {
        names.copyTo(0, into, namesLength(), NAME);
    }

    /** st_name: the offset of the symbol's name in the string table, unchecked against its length. */
    public long nameOffset(int index) throws ElfFormatException {
        return entries.u32(entryOffset(index), ENTRY);
    }

    private long entryOffset(int index) throws ElfFormatException {
        if (index < 0 || index >= count) {
            throw new ElfFormatException(elf.file(), "symbol table " + section.index() + " (" + section.name() + ")",
                    section.offset(), "symbol index " + Integer.toUnsignedString(index) + " is out of range (" + count + " symbols)");
        }
        return (long) index * entrySize;
    }

    /** All entries, index 0 (the null symbol) included, so list index = symbol index. */
    public List<Symbol> all() throws ElfFormatException {
        List<Symbol> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(get(i));
        }
        return out;
    }
}

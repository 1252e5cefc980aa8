package modtools.elf;

import java.util.ArrayList;
import java.util.List;

/**
 * A symbol table section with its string table and, when present, its SHT_SYMTAB_SHNDX
 * companion. Entries are decoded one at a time so a caller looking for a handful of symbols
 * does not pay for thousands.
 */
public final class SymbolTable {
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
        ByteView names = elf.data(strings);
        ByteView extended = null;
        for (Section s : elf.sections()) {
            if (s.type() == Elf.SHT_SYMTAB_SHNDX && s.link() == table.index()) {
                extended = elf.data(s);
                break;
            }
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
        if (index < 0 || index >= count) {
            throw new ElfFormatException(elf.file(), "symbol table " + section.index() + " (" + section.name() + ")",
                    section.offset(), "symbol index " + Integer.toUnsignedString(index) + " is out of range (" + count + " symbols)");
        }
        long at = (long) index * entrySize;
        String what = "symbol " + index + " of " + section.name();
        ByteView v = entries;
        long nameOffset;
        long value;
        long size;
        int info;
        int other;
        int shndx;
        if (elf.is64()) {
            nameOffset = v.u32(at, what);
            info = v.u8(at + 4, what);
            other = v.u8(at + 5, what);
            shndx = v.u16(at + 6, what);
            value = v.u64(at + 8, what);
            size = v.u64(at + 16, what);
        } else {
            nameOffset = v.u32(at, what);
            value = v.u32(at + 4, what);
            size = v.u32(at + 8, what);
            info = v.u8(at + 12, what);
            other = v.u8(at + 13, what);
            shndx = v.u16(at + 14, what);
        }
        if (shndx == Elf.SHN_XINDEX) {
            if (extendedIndexes == null) {
                throw new ElfFormatException(elf.file(), what, section.offset() + at,
                        "SHN_XINDEX without a SHT_SYMTAB_SHNDX section");
            }
            shndx = extendedIndexes.s32((long) index * 4, what + " extended section index");
        }
        String name = names.cstring(nameOffset, what + " name");
        return new Symbol(index, name, value, size, info >> 4, info & 0xf, other & 0x3, shndx);
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

package modtools.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A read-only ELF object over a buffer that is usually a mapping of the file.
 * Every field is read through {@link ByteView}, so a damaged file can only ever end in an
 * {@link ElfFormatException}. Section headers are decoded once; symbols, relocations and
 * notes are decoded on request, since most callers need only a few sections.
 */
public final class ElfFile {
    private static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final int EI_NIDENT = 16;

    /** The larger (64-bit) header's size: loaded first, before its class is known. */
    private static final int HEADER_SIZE = 64;

    private final ByteView bytes;
    private final ElfHeader header;
    private final SectionTable table;
    private final RangeLoader loader;

    private ElfFile(ByteView bytes, ElfHeader header, SectionTable table, RangeLoader loader) {
        this.bytes = bytes;
        this.header = header;
        this.table = table;
        this.loader = loader;
    }

    /** Parses the header and section table of the object in {@code buffer} (position to limit). */
    public static ElfFile parse(String file, ByteBuffer buffer) throws ElfFormatException {
        return parse(file, buffer, RangeLoader.RESIDENT);
    }

    /**
     * Parses the object in {@code buffer} (position to limit, the file's size), whose bytes
     * {@code loader} brings in as they are read.
     */
    public static ElfFile parse(String file, ByteBuffer buffer, RangeLoader loader) throws ElfFormatException {
        loader.load(0, HEADER_SIZE);
        ByteView raw = ByteView.of(file, buffer, ByteOrder.LITTLE_ENDIAN);
        if (!raw.startsWith(0, MAGIC)) {
            throw ElfFormatException.notElf(file, "bad magic, not an ELF object");
        }
        if (raw.size() <= EI_NIDENT) {
            throw ElfFormatException.notElf(file, "only " + raw.size() + " bytes, shorter than an ELF header");
        }
        int elfClass = raw.u8(4, "ELF header e_ident[EI_CLASS]");
        int data = raw.u8(5, "ELF header e_ident[EI_DATA]");
        if (elfClass != Elf.ELFCLASS32 && elfClass != Elf.ELFCLASS64) {
            throw new ElfFormatException(file, "ELF header e_ident[EI_CLASS]", 4, "invalid class " + elfClass);
        }
        if (data != Elf.ELFDATA2LSB && data != Elf.ELFDATA2MSB) {
            throw new ElfFormatException(file, "ELF header e_ident[EI_DATA]", 5, "invalid data encoding " + data);
        }
        int version = raw.u8(6, "ELF header e_ident[EI_VERSION]");
        if (version != 1) {
            throw new ElfFormatException(file, "ELF header e_ident[EI_VERSION]", 6, "unknown version " + version);
        }
        ByteView view = raw.withOrder(data == Elf.ELFDATA2LSB ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        ElfHeader header = readHeader(view, elfClass == Elf.ELFCLASS64);
        return new ElfFile(view, header, SectionTable.read(view, header, loader), loader);
    }

    private static ElfHeader readHeader(ByteView v, boolean is64) throws ElfFormatException {
        final String h = "ELF header"; // a constant: every description below is made at compile time
        int w = is64 ? 8 : 4;
        long at = EI_NIDENT;
        int type = v.u16(at, h + " e_type");
        int machine = v.u16(at + 2, h + " e_machine");
        long entry = v.word(at + 8, is64, h + " e_entry");
        long phoff = v.word(at + 8 + w, is64, h + " e_phoff");
        long shoff = v.word(at + 8 + 2L * w, is64, h + " e_shoff");
        long flagsAt = at + 8 + 3L * w;
        long flags = v.u32(flagsAt, h + " e_flags");
        int ehsize = v.u16(flagsAt + 4, h + " e_ehsize");
        int shentsize = v.u16(flagsAt + 10, h + " e_shentsize");
        int shnum = v.u16(flagsAt + 12, h + " e_shnum");
        int shstrndx = v.u16(flagsAt + 14, h + " e_shstrndx");
        int osAbi = v.u8(7, h + " e_ident[EI_OSABI]");
        return new ElfHeader(is64, v.order(), osAbi, type, machine, entry, phoff, shoff, flags, ehsize,
                shentsize, shnum, shstrndx);
    }

    public String file() {
        return bytes.file();
    }

    public ElfHeader header() {
        return header;
    }

    public boolean is64() {
        return header.is64();
    }

    /** The whole file, for structures that live outside sections (an appended signature). */
    public ByteView bytes() {
        loader.load(0, bytes.size());
        return bytes;
    }

    /** Every section header, decoded; tools that want one or two should look them up instead. */
    public List<Section> sections() throws ElfFormatException {
        return table.all();
    }

    public int sectionCount() {
        return table.count();
    }

    public Section section(int index, String usedBy) throws ElfFormatException {
        if (index < 0 || index >= table.count()) {
            throw new ElfFormatException(file(), usedBy, header.sectionHeaderOffset(),
                    "section index " + Integer.toUnsignedString(index) + " is out of range (" + table.count() + " sections)");
        }
        return table.get(index);
    }

    /** The first section with this name, as kmod and the kernel look sections up. */
    public Optional<Section> section(String name) throws ElfFormatException {
        int index = table.indexOf(name);
        return index < 0 ? Optional.empty() : Optional.of(table.get(index));
    }

    /** The bytes of a section; empty for SHT_NOBITS. */
    public ByteView data(Section s) throws ElfFormatException {
        if (bytes.contains(s.offset(), s.fileSize())) {
            loader.load(s.offset(), s.fileSize());
            return bytes.slice(s.offset(), s.fileSize(), "section contents"); // cannot fail: no description made
        }
        return bytes.slice(s.offset(), s.fileSize(), "contents of section " + s.index() + " (" + s.name() + ")");
    }

    /** The symbol table ({@code .symtab}), if the object has one. */
    public Optional<Section> symbolTable() throws ElfFormatException {
        int index = table.indexOfType(Elf.SHT_SYMTAB, -1);
        return index < 0 ? Optional.empty() : Optional.of(table.get(index));
    }

    /** The first section of {@code type} whose sh_link is {@code link}. */
    public Optional<Section> sectionLinkedTo(int type, int link) throws ElfFormatException {
        int index = table.indexOfType(type, link);
        return index < 0 ? Optional.empty() : Optional.of(table.get(index));
    }

    public SymbolTable symbols(Section table) throws ElfFormatException {
        return SymbolTable.read(this, table);
    }

    /** Every SHT_REL and SHT_RELA section, with the section it patches and its symbol table. */
    public List<RelocationSection> relocationSections() throws ElfFormatException {
        List<RelocationSection> out = new ArrayList<>();
        for (Section s : sections()) {
            if (s.type() == Elf.SHT_REL || s.type() == Elf.SHT_RELA) {
                String what = "relocation section " + s.index() + " (" + s.name() + ")";
                out.add(new RelocationSection(s, section(s.info(), what + " sh_info"),
                        section(s.link(), what + " sh_link")));
            }
        }
        return Collections.unmodifiableList(out);
    }

    public List<Relocation> relocations(RelocationSection rs) throws ElfFormatException {
        Section s = rs.section();
        boolean rela = rs.hasAddends();
        boolean is64 = is64();
        int entrySize = (is64 ? 8 : 4) * (rela ? 3 : 2);
        ByteView data = data(s);
        long count = data.size() / entrySize;
        List<Relocation> out = new ArrayList<>((int) count);
        int w = is64 ? 8 : 4;
        String what = "relocation section " + s.index() + " (" + s.name() + ")";
        for (long i = 0; i < count; i++) {
            long at = i * entrySize;
            long offset = data.word(at, is64, what);
            long info = data.word(at + w, is64, what);
            long addend = rela ? data.sword(at + 2L * w, is64, what) : 0;
            int sym = (int) (is64 ? info >>> 32 : info >>> 8);
            int type = (int) (is64 ? info & 0xffffffffL : info & 0xff);
            out.add(new Relocation(offset, type, sym, addend, rela));
        }
        return out;
    }

    public List<Note> notes(Section s) throws ElfFormatException {
        ByteView data = data(s);
        long align = s.alignment() == 8 ? 8 : 4;
        List<Note> out = new ArrayList<>();
        String what = "note section " + s.index() + " (" + s.name() + ")";
        long at = 0;
        while (at + 12 <= data.size()) {
            long nameSize = data.u32(at, what + " n_namesz");
            long descSize = data.u32(at + 4, what + " n_descsz");
            long type = data.u32(at + 8, what + " n_type");
            long nameAt = at + 12;
            // Offsets, not sizes, are aligned: with 8-byte notes a 4-byte name ("GNU") ends at
            // 16, where the descriptor starts, as readelf and libelf read it.
            long descAt = alignUp(nameAt + nameSize, align);
            ByteView name = data.slice(nameAt, nameSize, what + " name");
            ByteView desc = data.slice(descAt, descSize, what + " descriptor");
            int len = name.cstringLength(0);
            String text = name.string(0, len < 0 ? (int) nameSize : len, what + " name");
            out.add(new Note(text, type, desc));
            at = alignUp(descAt + descSize, align);
        }
        return out;
    }

    private static long alignUp(long value, long align) {
        return (value + align - 1) & -align;
    }
}

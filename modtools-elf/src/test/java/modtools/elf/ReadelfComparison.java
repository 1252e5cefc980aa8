package modtools.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what the reader decodes from one object with what readelf printed for it:
 * section headers, symbol tables, relocations and notes. Every difference is one line in
 * the returned list; an empty list means agreement.
 */
final class ReadelfComparison {
    private static final int MAX_PROBLEMS_PER_FILE = 12;

    private final ElfFile elf;
    private final ReadelfOutput.FileDump dump;
    private final List<String> problems = new ArrayList<>();
    private final Map<Integer, SymbolTable> tables = new HashMap<>();

    /** What was compared, so a test can assert that its objects exercised what it meant to. */
    static final class Counts {
        long files;
        long sections;
        long symbols;
        long relocations;
        long notes;
        long extendedSymbolIndexes;

        synchronized void add(Counts c) {
            files += c.files;
            sections += c.sections;
            symbols += c.symbols;
            relocations += c.relocations;
            notes += c.notes;
            extendedSymbolIndexes += c.extendedSymbolIndexes;
        }

        @Override
        public String toString() {
            return files + " files, " + sections + " sections, " + symbols + " symbols, " + relocations
                    + " relocations, " + notes + " notes";
        }
    }

    private final Counts counts = new Counts();

    private ReadelfComparison(ElfFile elf, ReadelfOutput.FileDump dump) {
        this.elf = elf;
        this.dump = dump;
    }

    static List<String> compare(ElfFile elf, ReadelfOutput.FileDump dump, Counts total) {
        ReadelfComparison c = new ReadelfComparison(elf, dump);
        c.problems.addAll(dump.problems);
        try {
            c.sections();
            c.symbols();
            c.relocations();
            c.notes();
        } catch (ElfFormatException e) {
            c.problem("the reader rejects a file readelf reads: " + e.getMessage());
        } catch (TooMany e) {
            // enough said about this file
        }
        c.counts.files = 1;
        total.add(c.counts);
        List<String> out = new ArrayList<>();
        for (String p : c.problems) {
            out.add(dump.path + ": " + p);
        }
        return out;
    }

    private static final class TooMany extends RuntimeException {
        TooMany() {
            super(null, null, false, false);
        }
    }

    private void problem(String text) {
        problems.add(text);
        if (problems.size() >= MAX_PROBLEMS_PER_FILE) {
            problems.add("(more differences not listed)");
            throw new TooMany();
        }
    }

    private void expect(String what, Object readelf, Object reader) {
        if (!readelf.equals(reader)) {
            problem(what + ": readelf " + readelf + ", reader " + reader);
        }
    }

    private void expectHex(String what, long readelf, long reader) {
        if (readelf != reader) {
            problem(what + ": readelf 0x" + Long.toHexString(readelf) + ", reader 0x" + Long.toHexString(reader));
        }
    }

    // ---------------------------------------------------------------- sections

    private void sections() throws ElfFormatException {
        List<Section> ours = elf.sections();
        expect("section count", dump.declaredSections, (long) ours.size());
        int n = Math.min(ours.size(), dump.sections.size());
        if (ours.size() != dump.sections.size()) {
            problem("section rows: readelf " + dump.sections.size() + ", reader " + ours.size());
        }
        for (int i = 0; i < n; i++) {
            ReadelfOutput.SectionRow r = dump.sections.get(i);
            Section s = ours.get(i);
            String at = "section " + i + " (" + s.name() + ")";
            expect(at + " index", (long) r.index(), (long) s.index());
            expect(at + " name", r.name(), printable(s.name()));
            Long type = sectionType(r.type(), elf.header().machine());
            if (type == null) {
                problem(at + ": readelf type name '" + r.type() + "' is not one this test knows");
            } else {
                expectHex(at + " type", type, Integer.toUnsignedLong(s.type()));
            }
            expectHex(at + " address", r.address(), s.address());
            expectHex(at + " offset", r.offset(), s.offset());
            expectHex(at + " size", r.size(), s.size());
            expectHex(at + " entsize", r.entrySize(), s.entrySize());
            expect(at + " link", r.link(), Integer.toUnsignedLong(s.link()));
            expect(at + " info", r.info(), Integer.toUnsignedLong(s.info()));
            expect(at + " align", r.align(), s.alignment());
            flags(at, r.flags(), s.flags());
            counts.sections++;
        }
    }

    /** readelf's letters for the gABI flags; any other letter stands for some other bit. */
    private static final String FLAG_LETTERS = "WAXMSILOGTCE";
    private static final long[] FLAG_BITS = {0x1, 0x2, 0x4, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x80000000L};

    private void flags(String at, String letters, long flags) {
        long known = 0;
        long expected = 0;
        boolean other = false;
        for (int i = 0; i < FLAG_BITS.length; i++) {
            known |= FLAG_BITS[i];
        }
        for (char c : letters.toCharArray()) {
            int i = FLAG_LETTERS.indexOf(c);
            if (i < 0) {
                other = true;
            } else {
                expected |= FLAG_BITS[i];
            }
        }
        if ((flags & known) != expected || ((flags & ~known) != 0) != other) {
            problem(at + " flags: readelf '" + letters + "', reader 0x" + Long.toHexString(flags));
        }
    }

    private static final Map<String, Long> SECTION_TYPES = Map.ofEntries(
            Map.entry("NULL", 0L), Map.entry("PROGBITS", 1L), Map.entry("SYMTAB", 2L), Map.entry("STRTAB", 3L),
            Map.entry("RELA", 4L), Map.entry("HASH", 5L), Map.entry("DYNAMIC", 6L), Map.entry("NOTE", 7L),
            Map.entry("NOBITS", 8L), Map.entry("REL", 9L), Map.entry("SHLIB", 10L), Map.entry("DYNSYM", 11L),
            Map.entry("INIT_ARRAY", 14L), Map.entry("FINI_ARRAY", 15L), Map.entry("PREINIT_ARRAY", 16L),
            Map.entry("GROUP", 17L), Map.entry("SYMTAB SECTION INDICES", 18L), Map.entry("RELR", 19L),
            Map.entry("GNU_ATTRIBUTES", 0x6ffffff5L), Map.entry("GNU_HASH", 0x6ffffff6L),
            Map.entry("GNU_LIBLIST", 0x6ffffff7L), Map.entry("VERDEF", 0x6ffffffdL),
            Map.entry("VERNEED", 0x6ffffffeL), Map.entry("VERSYM", 0x6fffffffL));
    private static final Pattern RANGE_TYPE = Pattern.compile("^(LOOS|LOPROC|LOUSER)\\+0x([0-9a-f]+)$");
    private static final Pattern UNKNOWN_TYPE = Pattern.compile("^<unknown>: ([0-9a-f]+)$");

    /** The number behind readelf's section type name, or null for a name this test does not know. */
    static Long sectionType(String name, int machine) {
        Long t = SECTION_TYPES.get(name);
        if (t != null) {
            return t;
        }
        if (machine == Elf.EM_X86_64 && name.equals("X86_64_UNWIND")) {
            return 0x70000001L;
        }
        Matcher m = RANGE_TYPE.matcher(name);
        if (m.matches()) {
            long base = switch (m.group(1)) {
                case "LOOS" -> 0x60000000L;
                case "LOPROC" -> 0x70000000L;
                default -> 0x80000000L;
            };
            return base + Long.parseLong(m.group(2), 16);
        }
        m = UNKNOWN_TYPE.matcher(name);
        return m.matches() ? Long.parseLong(m.group(1), 16) : null;
    }

    // ---------------------------------------------------------------- symbols

    private SymbolTable table(Section s) throws ElfFormatException {
        SymbolTable t = tables.get(s.index());
        if (t == null) {
            t = elf.symbols(s);
            tables.put(s.index(), t);
        }
        return t;
    }

    private void symbols() throws ElfFormatException {
        List<Section> ours = new ArrayList<>();
        for (Section s : elf.sections()) {
            if (s.type() == Elf.SHT_SYMTAB || s.type() == Elf.SHT_DYNSYM) {
                ours.add(s);
            }
        }
        if (ours.size() != dump.symbolTables.size()) {
            problem("symbol tables: readelf " + dump.symbolTables.size() + ", reader " + ours.size());
            return;
        }
        for (int t = 0; t < ours.size(); t++) {
            ReadelfOutput.SymbolTableDump rt = dump.symbolTables.get(t);
            Section s = ours.get(t);
            expect("symbol table " + s.index() + " name", rt.name(), printable(s.name()));
            SymbolTable table = table(s);
            List<Symbol> symbols = table.all();
            expect("symbol count of " + s.name(), rt.declared(), (long) symbols.size());
            if (rt.rows().size() != symbols.size()) {
                problem("symbol rows of " + s.name() + ": readelf " + rt.rows().size() + ", reader " + symbols.size());
                continue;
            }
            for (int i = 0; i < symbols.size(); i++) {
                symbol(s, table, rt.rows().get(i), symbols.get(i), i);
            }
        }
    }

    private void symbol(Section table, SymbolTable fields, ReadelfOutput.SymbolRow r, Symbol y, int i)
            throws ElfFormatException {
        String at = table.name() + " symbol " + i + " (" + y.name() + ")";
        expect(at + " index", r.num(), (long) y.index());
        expectHex(at + " value", r.value(), y.value());
        expect(at + " size", r.size(), y.size());
        expect(at + " type", symbolType(r.type()), (long) y.type());
        expect(at + " binding", symbolBinding(r.bind()), (long) y.binding());
        expect(at + " visibility", visibility(r.visibility()), (long) y.visibility());
        expect(at + " section index", sectionIndex(r.ndx()), Integer.toUnsignedLong(y.sectionIndex()));
        String name = printable(y.name());
        if (!r.name().equals(name) && y.name().isEmpty() && y.type() == Elf.STT_SECTION
                && y.sectionIndex() >= 0 && y.sectionIndex() < elf.sections().size()) {
            // readelf names an unnamed section symbol after its section
            name = printable(elf.sections().get(y.sectionIndex()).name());
        }
        expect(at + " name", r.name(), name);
        // the one-field accessors agree with the whole entry
        expect(at + " info(i)", (y.binding() << 4) | y.type(), fields.info(i));
        expectHex(at + " value(i)", y.value(), fields.value(i));
        expect(at + " sectionIndex(i)", y.sectionIndex(), fields.sectionIndex(i));
        expect(at + " name(i)", y.name(), fields.name(i));
        expect(at + " nameIsEmpty(i)", y.name().isEmpty(), fields.nameIsEmpty(i));
        String prefix = y.name().substring(0, Math.min(3, y.name().length()));
        expect(at + " nameStartsWith(i, \"" + prefix + "\")", true,
                fields.nameStartsWith(i, prefix.getBytes(StandardCharsets.ISO_8859_1)));
        if (y.sectionIndex() >= Elf.SHN_LORESERVE && y.sectionIndex() < elf.sections().size()) {
            counts.extendedSymbolIndexes++;
        }
        counts.symbols++;
    }

    private static final Map<String, Long> SYMBOL_TYPES = Map.of("NOTYPE", 0L, "OBJECT", 1L, "FUNC", 2L,
            "SECTION", 3L, "FILE", 4L, "COMMON", 5L, "TLS", 6L, "RELC", 8L, "SRELC", 9L, "IFUNC", 10L);
    private static final Map<String, Long> BINDINGS = Map.of("LOCAL", 0L, "GLOBAL", 1L, "WEAK", 2L, "UNIQUE", 10L);
    private static final Map<String, Long> VISIBILITIES = Map.of("DEFAULT", 0L, "INTERNAL", 1L, "HIDDEN", 2L, "PROTECTED", 3L);
    private static final Pattern SPECIAL_NUMBER = Pattern.compile("^<[^>]+>: (\\d+)$");
    private static final Pattern SPECIAL_INDEX = Pattern.compile("^[A-Z ]+\\[0x([0-9a-f]+)\\]$");

    private static Object named(Map<String, Long> names, String text) {
        Long v = names.get(text);
        if (v != null) {
            return v;
        }
        Matcher m = SPECIAL_NUMBER.matcher(text);
        return m.matches() ? (Object) Long.parseLong(m.group(1)) : "unknown name '" + text + "'";
    }

    static Object symbolType(String text) {
        return named(SYMBOL_TYPES, text);
    }

    static Object symbolBinding(String text) {
        return named(BINDINGS, text);
    }

    static Object visibility(String text) {
        return named(VISIBILITIES, text);
    }

    static Object sectionIndex(String text) {
        switch (text) {
            case "UND":
                return 0L;
            case "ABS":
                return (long) Elf.SHN_ABS;
            case "COM":
                return (long) Elf.SHN_COMMON;
            default:
                break;
        }
        if (text.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(text);
        }
        Matcher m = SPECIAL_INDEX.matcher(text);
        return m.matches() ? (Object) Long.parseLong(m.group(1), 16) : "unknown index '" + text + "'";
    }

    // ---------------------------------------------------------------- relocations

    private void relocations() throws ElfFormatException {
        List<RelocationSection> ours = elf.relocationSections();
        int next = 0;
        for (RelocationSection rs : ours) {
            Section s = rs.section();
            List<Relocation> relocations = elf.relocations(rs);
            ReadelfOutput.RelocTable rt = next < dump.relocations.size() ? dump.relocations.get(next) : null;
            if (rt == null || rt.offset() != s.offset() || !rt.name().equals(printable(s.name()))) {
                if (relocations.isEmpty()) {
                    continue; // readelf lists no empty relocation section
                }
                problem("relocation section " + s.index() + " (" + s.name() + ") at 0x" + Long.toHexString(s.offset())
                        + ": readelf lists " + (rt == null ? "nothing" : "'" + rt.name() + "' at 0x" + Long.toHexString(rt.offset())));
                return;
            }
            next++;
            String at = "relocation section " + s.index() + " (" + s.name() + ")";
            expect(at + " count", rt.declared(), (long) relocations.size());
            if (rt.rows().size() != relocations.size()) {
                problem(at + " rows: readelf " + rt.rows().size() + ", reader " + relocations.size());
                continue;
            }
            SymbolTable symbols = table(rs.symbolTable());
            for (int i = 0; i < relocations.size(); i++) {
                ReadelfOutput.RelocRow r = rt.rows().get(i);
                Relocation x = relocations.get(i);
                String where = at + " entry " + i;
                expectHex(where + " offset", r.offset(), x.offset());
                long info = elf.is64() ? ((long) x.symbolIndex() << 32) | Integer.toUnsignedLong(x.type())
                        : ((long) x.symbolIndex() << 8) | (x.type() & 0xff);
                expectHex(where + " info (symbol " + x.symbolIndex() + ", type " + x.type() + ")", r.info(), info);
                expect(where + " has an addend", r.addend() != null, x.explicitAddend());
                if (r.addend() != null) {
                    expectHex(where + " addend", r.addend(), x.addend());
                } else {
                    expect(where + " implicit addend", 0L, x.addend());
                }
                // every relocation of a sound object names a symbol the reader can decode
                symbols.get(x.symbolIndex());
                counts.relocations++;
            }
        }
        if (next != dump.relocations.size()) {
            problem("readelf lists " + dump.relocations.size() + " relocation sections, the reader matched " + next);
        }
    }

    // ---------------------------------------------------------------- notes

    private void notes() throws ElfFormatException {
        List<Section> ours = new ArrayList<>();
        for (Section s : elf.sections()) {
            if (s.type() == Elf.SHT_NOTE) {
                ours.add(s);
            }
        }
        if (ours.size() != dump.notes.size()) {
            problem("note sections: readelf " + dump.notes.size() + ", reader " + ours.size());
            return;
        }
        for (int i = 0; i < ours.size(); i++) {
            Section s = ours.get(i);
            ReadelfOutput.NoteSection rn = dump.notes.get(i);
            expect("note section " + s.index() + " name", rn.name(), printable(s.name()));
            List<Note> notes = elf.notes(s);
            if (notes.size() != rn.notes().size()) {
                problem("notes in " + s.name() + ": readelf " + rn.notes().size() + ", reader " + notes.size());
                continue;
            }
            for (int k = 0; k < notes.size(); k++) {
                Note n = notes.get(k);
                ReadelfOutput.NoteRow r = rn.notes().get(k);
                String at = "note " + k + " of " + s.name();
                expect(at + " owner", r.owner(), printable(n.name()));
                expect(at + " descriptor size", r.size(), n.descriptor().size());
                if (r.descriptorHex() != null) {
                    expect(at + " descriptor", r.descriptorHex(), hex(n.descriptor()));
                }
                counts.notes++;
            }
        }
    }

    private static String hex(ByteView v) throws ElfFormatException {
        StringBuilder b = new StringBuilder();
        for (byte x : v.bytes(0, (int) v.size(), "test")) {
            b.append(String.format("%02x", x & 0xff));
        }
        return b.toString();
    }

    /** A name as readelf prints it: control characters as ^X. */
    static String printable(String name) {
        StringBuilder b = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20) {
                if (b == null) {
                    b = new StringBuilder(name.substring(0, i));
                }
                b.append('^').append((char) (c + 0x40));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? name : b.toString();
    }
}

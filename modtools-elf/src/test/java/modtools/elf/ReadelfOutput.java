package modtools.elf;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parser for what GNU {@code readelf -W -S -r -s -n} prints for one or more files. It keeps
 * readelf's text (names, type names) as printed and its numbers as numbers; deciding what a
 * text means is the comparison's job. A table row that does not parse, or a table whose row
 * count differs from the count readelf announced, is recorded as a problem of that file,
 * never silently dropped.
 */
final class ReadelfOutput {
    private ReadelfOutput() {}

    record SectionRow(int index, String name, String type, long address, long offset, long size,
                      long entrySize, String flags, long link, long info, long align) {}

    record RelocRow(long offset, long info, String type, Long addend) {}

    record RelocTable(String name, long offset, long declared, List<RelocRow> rows) {}

    record SymbolRow(long num, long value, long size, String type, String bind, String visibility,
                     String ndx, String name) {}

    record SymbolTableDump(String name, long declared, List<SymbolRow> rows) {}

    /** One note; {@code descriptorHex} only when readelf printed the bytes. */
    record NoteRow(String owner, long size, String descriptorHex) {}

    record NoteSection(String name, List<NoteRow> notes) {}

    /** Everything readelf printed for one file. */
    static final class FileDump {
        final String path;
        /** From "There are N section headers"; 0 for "There are no sections"; -1 if neither. */
        long declaredSections = -1;
        final List<SectionRow> sections = new ArrayList<>();
        final List<RelocTable> relocations = new ArrayList<>();
        final List<SymbolTableDump> symbolTables = new ArrayList<>();
        final List<NoteSection> notes = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        FileDump(String path) {
            this.path = path;
        }
    }

    private static final Pattern FILE = Pattern.compile("^File: (.*)$");
    private static final Pattern SECTION_COUNT =
            Pattern.compile("^There are (\\d+) section headers, starting at offset 0x([0-9a-f]+):$");
    private static final Pattern SECTION_ROW = Pattern.compile(
            "^  \\[\\s*(\\d+)\\] (.*?) +([0-9a-f]{8}|[0-9a-f]{16}) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) +([A-Za-z]*) +(\\d+) +(\\d+) +(\\d+)$");
    private static final Pattern UNKNOWN_TYPE = Pattern.compile("^(.*?) *(<unknown>: [0-9a-f]+)$");
    private static final Pattern RELOC_HEADER = Pattern.compile(
            "^Relocation section '(.*)' at offset 0x([0-9a-f]+) contains (\\d+) entr(?:y|ies):$");
    private static final Pattern RELOC_ROW = Pattern.compile("^([0-9a-f]{8}|[0-9a-f]{16}) +([0-9a-f]{8}|[0-9a-f]{16}) (.*)$");
    private static final Pattern SYMTAB_HEADER = Pattern.compile("^Symbol table '(.*)' contains (\\d+) entr(?:y|ies):$");
    private static final String SPECIAL = "<[^>]+>: \\d+";
    private static final Pattern SYMBOL_ROW = Pattern.compile(
            "^ *(\\d+): ([0-9a-f]{8}|[0-9a-f]{16}) +(\\d+|0x[0-9a-f]+) (" + SPECIAL + "|\\S+) +(" + SPECIAL + "|\\S+) +"
                    + "(\\S+)((?: \\[[^\\]]*\\])*) +(OS \\[0x[0-9a-f]+\\]|\\S+) (.*)$");
    private static final Pattern NOTES_HEADER = Pattern.compile("^Displaying notes found in: (.*)$");
    private static final Pattern NOTE_ROW = Pattern.compile("^  (\\S*) +0x([0-9a-f]{8})\\t(.*)$");
    private static final Pattern BUILD_ID = Pattern.compile("Build ID: ([0-9a-f]+)");
    private static final Pattern DESC_DATA = Pattern.compile("description data: ((?:[0-9a-f]{2} )*)");

    private enum Mode { NONE, SECTIONS, RELOCATIONS, SYMBOLS, NOTES }

    /**
     * Reads readelf's output, handing each file's dump to {@code sink} as soon as it is complete.
     * {@code onlyFile} names the file when readelf was given a single one (it prints no "File:"
     * header then); otherwise pass null.
     */
    static void parse(BufferedReader in, String onlyFile, Consumer<FileDump> sink) throws IOException {
        Parser p = new Parser(onlyFile, sink);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            p.line(line);
        }
        p.finish();
    }

    static Map<String, FileDump> parseAll(BufferedReader in, String onlyFile) throws IOException {
        Map<String, FileDump> out = new java.util.LinkedHashMap<>();
        parse(in, onlyFile, d -> {
            if (out.put(d.path, d) != null) {
                d.problems.add("readelf printed this file twice");
            }
        });
        return out;
    }

    private static final class Parser {
        private final String onlyFile;
        private final Consumer<FileDump> sink;
        private FileDump current;
        private Mode mode = Mode.NONE;
        private RelocTable relocs;
        private boolean relaColumns;
        private SymbolTableDump symbols;
        private NoteSection notes;

        Parser(String onlyFile, Consumer<FileDump> sink) {
            this.onlyFile = onlyFile;
            this.sink = sink;
        }

        void finish() {
            if (current != null) {
                check();
                sink.accept(current);
                current = null;
            }
        }

        private void check() {
            FileDump d = current;
            if (d.declaredSections >= 0 && d.declaredSections != d.sections.size()) {
                d.problems.add("readelf announced " + d.declaredSections + " section headers, " + d.sections.size() + " rows parsed");
            }
            for (RelocTable t : d.relocations) {
                if (t.declared != t.rows.size()) {
                    d.problems.add("readelf announced " + t.declared + " relocations in " + t.name + ", " + t.rows.size() + " rows parsed");
                }
            }
            for (SymbolTableDump t : d.symbolTables) {
                if (t.declared != t.rows.size()) {
                    d.problems.add("readelf announced " + t.declared + " symbols in " + t.name + ", " + t.rows.size() + " rows parsed");
                }
            }
        }

        private FileDump file() {
            if (current == null) {
                current = new FileDump(onlyFile == null ? "<no File: header>" : onlyFile);
                if (onlyFile == null) {
                    current.problems.add("readelf output does not start with a File: header");
                }
            }
            return current;
        }

        void line(String line) {
            Matcher m = FILE.matcher(line);
            if (m.matches()) {
                finish();
                current = new FileDump(m.group(1));
                mode = Mode.NONE;
                return;
            }
            if (line.isEmpty()) {
                mode = Mode.NONE;
                return;
            }
            FileDump d = file();
            if ((m = SECTION_COUNT.matcher(line)).matches()) {
                d.declaredSections = Long.parseLong(m.group(1));
                mode = Mode.NONE;
                return;
            }
            if (line.equals("There are no sections in this file.")) {
                d.declaredSections = 0;
                return;
            }
            if (line.equals("Section Headers:")) {
                mode = Mode.SECTIONS;
                return;
            }
            if (line.startsWith("Key to Flags:")) {
                mode = Mode.NONE;
                return;
            }
            if ((m = RELOC_HEADER.matcher(line)).matches()) {
                relaColumns = false;
                relocs = new RelocTable(m.group(1), Long.parseUnsignedLong(m.group(2), 16),
                        Long.parseLong(m.group(3)), new ArrayList<>());
                d.relocations.add(relocs);
                mode = Mode.RELOCATIONS;
                return;
            }
            if ((m = SYMTAB_HEADER.matcher(line)).matches()) {
                symbols = new SymbolTableDump(m.group(1), Long.parseLong(m.group(2)), new ArrayList<>());
                d.symbolTables.add(symbols);
                mode = Mode.SYMBOLS;
                return;
            }
            if ((m = NOTES_HEADER.matcher(line)).matches()) {
                notes = new NoteSection(m.group(1), new ArrayList<>());
                d.notes.add(notes);
                mode = Mode.NOTES;
                return;
            }
            switch (mode) {
                case SECTIONS -> sectionRow(d, line);
                case RELOCATIONS -> relocRow(d, line);
                case SYMBOLS -> symbolRow(d, line);
                case NOTES -> noteRow(line);
                case NONE -> { /* banners, the flag key, "There are no relocations", ... */ }
            }
        }

        private void sectionRow(FileDump d, String line) {
            if (line.startsWith("  [Nr]")) {
                return;
            }
            Matcher m = SECTION_ROW.matcher(line);
            if (!m.matches()) {
                d.problems.add("unparsed section header row: " + line);
                return;
            }
            String nameAndType = m.group(2).stripTrailing();
            String type;
            String name;
            int cut;
            Matcher unknown = UNKNOWN_TYPE.matcher(nameAndType);
            if (nameAndType.endsWith(" SYMTAB SECTION INDICES") || nameAndType.equals("SYMTAB SECTION INDICES")) {
                type = "SYMTAB SECTION INDICES";
                name = nameAndType.substring(0, nameAndType.length() - type.length());
            } else if (unknown.matches()) {
                type = unknown.group(2);
                name = unknown.group(1);
            } else if ((cut = nameAndType.lastIndexOf(' ')) >= 0) {
                type = nameAndType.substring(cut + 1);
                name = nameAndType.substring(0, cut);
            } else {
                type = nameAndType;
                name = "";
            }
            d.sections.add(new SectionRow(Integer.parseInt(m.group(1)), name.stripTrailing(), type,
                    hex(m.group(3)), hex(m.group(4)), hex(m.group(5)), hex(m.group(6)), m.group(7),
                    Long.parseLong(m.group(8)), Long.parseLong(m.group(9)), Long.parseLong(m.group(10))));
        }

        private void relocRow(FileDump d, String line) {
            if (line.contains("Offset") && line.contains("Info")) {
                relaColumns = line.contains("Addend");
                return;
            }
            Matcher m = RELOC_ROW.matcher(line);
            if (!m.matches()) {
                d.problems.add("unparsed relocation row in " + relocs.name + ": " + line);
                return;
            }
            String[] tokens = m.group(3).strip().split(" +");
            Long addend = null;
            if (relaColumns) {
                addend = addend(tokens);
                if (addend == null) {
                    d.problems.add("relocation row without a readable addend in " + relocs.name + ": " + line);
                    return;
                }
            }
            relocs.rows.add(new RelocRow(hex(m.group(1)), hex(m.group(2)), tokens[0], addend));
        }

        /** "... name + 1f", "... name - 4", or, without a symbol, "... 1f" / "... -4". */
        private static Long addend(String[] tokens) {
            if (tokens.length < 2) {
                return null;
            }
            String last = tokens[tokens.length - 1];
            String sign = tokens[tokens.length - 2];
            try {
                if (sign.equals("+") || sign.equals("-")) {
                    long v = Long.parseUnsignedLong(last, 16);
                    return sign.equals("-") ? -v : v;
                }
                if (last.startsWith("-")) {
                    return -Long.parseUnsignedLong(last.substring(1), 16);
                }
                return Long.parseUnsignedLong(last, 16);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private void symbolRow(FileDump d, String line) {
            if (line.strip().startsWith("Num:")) {
                return;
            }
            Matcher m = SYMBOL_ROW.matcher(line);
            if (!m.matches()) {
                d.problems.add("unparsed symbol row in " + symbols.name + ": " + line);
                return;
            }
            String size = m.group(3);
            symbols.rows.add(new SymbolRow(Long.parseLong(m.group(1)), hex(m.group(2)),
                    size.startsWith("0x") ? hex(size.substring(2)) : Long.parseLong(size),
                    m.group(4), m.group(5), m.group(6), m.group(8), m.group(9)));
        }

        private void noteRow(String line) {
            if (line.startsWith("  Owner")) {
                return;
            }
            Matcher m = NOTE_ROW.matcher(line);
            if (!m.matches()) {
                return; // continuation lines of a note's description
            }
            String hexBytes = null;
            Matcher b = BUILD_ID.matcher(m.group(3));
            Matcher dd = DESC_DATA.matcher(m.group(3));
            if (b.find()) {
                hexBytes = b.group(1);
            } else if (dd.find()) {
                hexBytes = dd.group(1).replace(" ", "");
            }
            notes.notes.add(new NoteRow(m.group(1), hex(m.group(2)), hexBytes));
        }

        private static long hex(String s) {
            return Long.parseUnsignedLong(s, 16);
        }
    }
}

package modtools.elf.module;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import modtools.elf.ByteView;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.Section;
import modtools.elf.SymbolTable;

/**
 * What a kernel module says about itself: {@code .modinfo}, the symbols it exports and
 * imports, and the signature appended to the file. Each fact is read from its own section
 * when asked for, so a tool that wants only one of them touches only that section.
 */
public final class KernelModule {
    private static final byte[] CRC_PREFIX = "__crc_".getBytes(StandardCharsets.ISO_8859_1);

    private final ElfFile elf;

    private KernelModule(ElfFile elf) {
        this.elf = elf;
    }

    public static KernelModule of(ElfFile elf) {
        return new KernelModule(elf);
    }

    public ElfFile elf() {
        return elf;
    }

    /** The {@code .modinfo} strings in file order; empty when the section is missing. */
    public List<ModInfoEntry> modinfo() throws ElfFormatException {
        Optional<Section> section = elf.section(".modinfo");
        if (section.isEmpty()) {
            return List.of();
        }
        List<ModInfoEntry> out = new ArrayList<>();
        for (String s : NulStrings.split(elf.data(section.get()), ".modinfo")) {
            out.add(ModInfoEntry.parse(s));
        }
        return out;
    }

    /**
     * The {@code .modinfo} entries whose key is one of {@code keys}, in file order; the
     * others are never decoded, which matters to a reader of thousands of modules.
     */
    public List<ModInfoEntry> modinfo(List<String> keys) throws ElfFormatException {
        Optional<Section> section = elf.section(".modinfo");
        if (section.isEmpty()) {
            return List.of();
        }
        byte[][] wanted = new byte[keys.size()][];
        for (int k = 0; k < wanted.length; k++) {
            wanted[k] = keys.get(k).getBytes(StandardCharsets.ISO_8859_1);
        }
        List<ModInfoEntry> out = new ArrayList<>();
        NulStrings.scan(elf.data(section.get()), ".modinfo", new NulStrings.Visitor() {
            @Override
            public void visit(byte[] bytes, int start, int end) {
                for (byte[] key : wanted) {
                    if (isKeyOf(key, bytes, start, end)) {
                        out.add(ModInfoEntry.parse(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1)));
                        return;
                    }
                }
            }
        });
        return out;
    }

    /** Whether the entry in {@code bytes[start, end)} has the key {@code key}: the key, then '=' or nothing. */
    private static boolean isKeyOf(byte[] key, byte[] bytes, int start, int end) {
        // The entry ends at a NUL or the block's end, so a key longer than the entry never matches.
        return startsWith(bytes, bytes.length, start, key) && (end - start == key.length || bytes[start + key.length] == '=');
    }

    /** The first value of a {@code .modinfo} key. */
    public Optional<String> modinfo(String key) throws ElfFormatException {
        for (ModInfoEntry e : modinfo()) {
            if (e.key().equals(key)) {
                return Optional.of(e.value());
            }
        }
        return Optional.empty();
    }

    /** The name the module was built as ({@code name=} in .modinfo), if it records one. */
    public Optional<String> name() throws ElfFormatException {
        return modinfo("name");
    }

    public Optional<String> vermagic() throws ElfFormatException {
        return modinfo("vermagic");
    }

    /** Exports and imports, read in one pass over the symbol table (depmod wants both). */
    public record Linkage(List<Export> exports, List<Import> imports) {}

    /**
     * Exported symbols as kmod finds them: the {@code __crc_NAME} symbols of {@code .symtab}
     * with the CRC each points at, or, in a module built without modversions, the names in
     * {@code __ksymtab_strings}.
     */
    public List<Export> exports() throws ElfFormatException {
        return linkage().exports();
    }

    /**
     * What the module needs, as kmod's depmod sees it: every named undefined symbol of
     * {@code .symtab} in table order with its {@code __versions} CRC, then the
     * {@code __versions} entries no symbol asked for (module_layout), which the loader checks too.
     */
    public List<Import> imports() throws ElfFormatException {
        return linkage().imports();
    }

    public Linkage linkage() throws ElfFormatException {
        return linkage(new LinkageScratch());
    }

    /** {@link #linkage()}, reusing what {@code scratch} kept from the modules read before. */
    public Linkage linkage(LinkageScratch scratch) throws ElfFormatException {
        List<Export> exports = new ArrayList<>();
        List<Import> imports = new ArrayList<>();
        Optional<Section> table = elf.symbolTable();
        VersionTable versions = versionsForImports(scratch);
        boolean[] asked = new boolean[versions == null ? 0 : versions.size()];
        if (table.isPresent()) {
            SymbolTable symbols = elf.symbols(table.get());
            int namesLength = symbols.namesLength();
            byte[] names = scratch.names(namesLength);
            symbols.copyNames(names);
            for (int i = 1; i < symbols.size(); i++) {
                int section = symbols.sectionIndex(i);
                boolean undefined = section == Elf.SHN_UNDEF;
                long offset = symbols.nameOffset(i);
                if (!undefined && !startsWith(names, namesLength, offset, CRC_PREFIX)) {
                    continue;
                }
                if (offset >= namesLength) {
                    symbols.name(i); // fails with the reader's own message for a name outside the table
                }
                int start = (int) offset;
                int end = start;
                while (names[end] != 0) {
                    end++; // the table ends in NUL
                }
                if (undefined) {
                    if (end == start) {
                        continue;
                    }
                    int v = versions == null ? -1 : versions.find(names, start, end - start);
                    long crc = 0;
                    if (v >= 0) {
                        asked[v] = true;
                        crc = versions.crc(v);
                    }
                    imports.add(new Import(new String(names, start, end - start, StandardCharsets.ISO_8859_1),
                            (symbols.info(i) >> 4) == Elf.STB_WEAK, crc));
                } else {
                    int nameStart = start + CRC_PREFIX.length;
                    exports.add(new Export(new String(names, nameStart, end - nameStart, StandardCharsets.ISO_8859_1),
                            crcAt(symbols.value(i), section)));
                }
            }
        }
        for (int i = 0; i < asked.length; i++) {
            if (!asked[i]) {
                imports.add(new Import(versions.name(i), false, versions.crc(i)));
            }
        }
        return new Linkage(exports.isEmpty() ? exportsFromStrings() : exports, imports);
    }

    /** Whether {@code bytes[offset, length)} starts with {@code prefix}. */
    private static boolean startsWith(byte[] bytes, int length, long offset, byte[] prefix) {
        return offset >= 0 && offset <= length - prefix.length
                && Arrays.equals(bytes, (int) offset, (int) offset + prefix.length, prefix, 0, prefix.length);
    }

    private List<Export> exportsFromStrings() throws ElfFormatException {
        Optional<Section> section = elf.section("__ksymtab_strings");
        if (section.isEmpty()) {
            return List.of();
        }
        List<Export> out = new ArrayList<>();
        for (String name : NulStrings.split(elf.data(section.get()), "__ksymtab_strings")) {
            out.add(new Export(name, 0));
        }
        return out;
    }

    /** kmod ignores a __versions table of the wrong size here rather than failing the module; null without one. */
    private VersionTable versionsForImports(LinkageScratch scratch) throws ElfFormatException {
        Optional<Section> section = elf.section("__versions");
        if (section.isEmpty() || section.get().size() % VersionTable.ENTRY_SIZE != 0) {
            return null;
        }
        ByteView data = elf.data(section.get());
        int length = (int) data.size();
        byte[] table = scratch.versions(length);
        data.copyTo(0, table, length, "__versions");
        return new VersionTable(table, length, elf.is64(), data.order(), elf.file());
    }

    /**
     * A {@code __crc_} symbol's value is the CRC itself when absolute, else the offset of the
     * CRC in its section; kmod reports an unreadable one as all ones rather than failing.
     */
    private long crcAt(long value, int sectionIndex) throws ElfFormatException {
        if (sectionIndex == Elf.SHN_ABS || sectionIndex == Elf.SHN_UNDEF) {
            return value;
        }
        if (sectionIndex >= elf.sectionCount()) {
            return -1L;
        }
        ByteView data = elf.data(elf.section(sectionIndex, "__crc_ symbol"));
        if (value < 0 || value > data.size() - 4) {
            return -1L;
        }
        return data.u32(value, "__crc_ value");
    }

    /** The {@code __versions} table: CRCs of imported symbols. */
    public List<SymbolVersion> versions() throws ElfFormatException {
        Optional<Section> section = elf.section("__versions");
        if (section.isEmpty()) {
            return List.of();
        }
        if (section.get().size() % VersionTable.ENTRY_SIZE != 0) {
            throw new ElfFormatException(elf.file(), "__versions", section.get().offset(),
                    "size " + section.get().size() + " is not a multiple of " + VersionTable.ENTRY_SIZE);
        }
        ByteView data = elf.data(section.get());
        VersionTable table = new VersionTable(data.bytes(0, (int) data.size(), "__versions"), (int) data.size(),
                elf.is64(), data.order(), elf.file());
        List<SymbolVersion> out = new ArrayList<>(table.size());
        for (int i = 0; i < table.size(); i++) {
            out.add(new SymbolVersion(table.name(i), table.crc(i)));
        }
        return out;
    }
}

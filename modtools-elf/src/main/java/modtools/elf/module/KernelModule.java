package modtools.elf.module;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private static final int MODVERSION_ENTRY_SIZE = 64;
    private static final byte[] CRC_PREFIX = "__crc_".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

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
        List<Export> exports = new ArrayList<>();
        List<Import> imports = new ArrayList<>();
        Optional<Section> table = elf.symbolTable();
        List<SymbolVersion> versions = versionsForImports();
        boolean[] asked = new boolean[versions.size()];
        if (table.isPresent()) {
            Map<String, Integer> versionIndex = new HashMap<>();
            for (int i = versions.size() - 1; i >= 0; i--) {
                versionIndex.put(versions.get(i).symbol(), i);
            }
            SymbolTable symbols = elf.symbols(table.get());
            for (int i = 1; i < symbols.size(); i++) {
                int section = symbols.sectionIndex(i);
                if (section == Elf.SHN_UNDEF) {
                    if (symbols.nameIsEmpty(i)) {
                        continue;
                    }
                    String name = symbols.name(i);
                    Integer v = versionIndex.get(name);
                    long crc = 0;
                    if (v != null) {
                        asked[v] = true;
                        crc = versions.get(v).crc();
                    }
                    imports.add(new Import(name, (symbols.info(i) >> 4) == Elf.STB_WEAK, crc));
                } else if (symbols.nameStartsWith(i, CRC_PREFIX)) {
                    String name = symbols.name(i).substring(CRC_PREFIX.length);
                    exports.add(new Export(name, crcAt(symbols.value(i), section)));
                }
            }
        }
        for (int i = 0; i < versions.size(); i++) {
            if (!asked[i]) {
                imports.add(new Import(versions.get(i).symbol(), false, versions.get(i).crc()));
            }
        }
        return new Linkage(exports.isEmpty() ? exportsFromStrings() : exports, imports);
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

    /** kmod ignores a __versions table of the wrong size here rather than failing the module. */
    private List<SymbolVersion> versionsForImports() throws ElfFormatException {
        Optional<Section> section = elf.section("__versions");
        if (section.isPresent() && section.get().size() % MODVERSION_ENTRY_SIZE != 0) {
            return List.of();
        }
        return versions();
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
        ByteView data = elf.data(section.get());
        if (data.size() % MODVERSION_ENTRY_SIZE != 0) {
            throw new ElfFormatException(elf.file(), "__versions", section.get().offset(),
                    "size " + data.size() + " is not a multiple of " + MODVERSION_ENTRY_SIZE);
        }
        int crcSize = elf.is64() ? 8 : 4;
        List<SymbolVersion> out = new ArrayList<>();
        for (long at = 0; at < data.size(); at += MODVERSION_ENTRY_SIZE) {
            long crc = crcSize == 8 ? data.u64(at, "__versions crc") : data.u32(at, "__versions crc");
            ByteView nameField = data.slice(at + crcSize, MODVERSION_ENTRY_SIZE - crcSize, "__versions name");
            String name = nameField.cstring(0, "__versions name");
            // PowerPC64 ELFv1 records function descriptors as ".name".
            out.add(new SymbolVersion(name.startsWith(".") ? name.substring(1) : name, crc));
        }
        return out;
    }

}

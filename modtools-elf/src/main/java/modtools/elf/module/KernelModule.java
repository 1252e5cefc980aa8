package modtools.elf.module;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import modtools.elf.ByteView;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.Section;
import modtools.elf.Symbol;
import modtools.elf.SymbolTable;

/**
 * What a kernel module says about itself: {@code .modinfo}, the symbols it exports and
 * imports, and the signature appended to the file. Each fact is read from its own section
 * when asked for, so a tool that wants only one of them touches only that section.
 */
public final class KernelModule {
    private static final int MODVERSION_ENTRY_SIZE = 64;

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

    /** Exported symbol names, from {@code __ksymtab_strings}. */
    public List<String> exports() throws ElfFormatException {
        Optional<Section> section = elf.section("__ksymtab_strings");
        if (section.isEmpty()) {
            return List.of();
        }
        return NulStrings.split(elf.data(section.get()), "__ksymtab_strings");
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

    /** Undefined global symbols of {@code .symtab}, each with its {@code __versions} CRC if listed. */
    public List<Import> imports() throws ElfFormatException {
        Optional<Section> table = elf.symbolTable();
        if (table.isEmpty()) {
            return List.of();
        }
        Map<String, Long> crcs = new HashMap<>();
        for (SymbolVersion v : versions()) {
            crcs.putIfAbsent(v.symbol(), v.crc());
        }
        SymbolTable symbols = elf.symbols(table.get());
        List<Import> out = new ArrayList<>();
        for (int i = 1; i < symbols.size(); i++) {
            Symbol s = symbols.get(i);
            if (!s.isUndefined() || s.name().isEmpty() || !s.isGlobal()) {
                continue;
            }
            Long crc = crcs.get(s.name());
            out.add(new Import(s.name(), s.binding() == Elf.STB_WEAK,
                    crc == null ? OptionalLong.empty() : OptionalLong.of(crc)));
        }
        return out;
    }
}

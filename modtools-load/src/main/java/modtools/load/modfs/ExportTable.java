package modtools.load.modfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.contract.ModuleStatus;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.Elf;
import modtools.link.LinkedImage.DefinedSymbol;
import modtools.link.Placement;
import modtools.load.info.ModuleInfo;

/**
 * What a relocated image exports, each name at its final address: the records of
 * {@code __ksymtab} and {@code __ksymtab_gpl} when the object has them (the SDK's
 * EXPORT_SYMBOL), else every name of {@code __ksymtab_strings} bound to the object's global
 * symbol of that name, as depmod reads a module without records.
 */
final class ExportTable {
    private static final int KSYMTAB_RECORD = 24;
    private static final List<String> TABLES = List.of("__ksymtab", "__ksymtab_gpl");

    private ExportTable() {}

    static List<ModuleInfo.Export> of(String module, List<String> names, List<Placement> sections, byte[] image,
                                      long base, List<DefinedSymbol> symbols) throws Failed {
        Map<String, DefinedSymbol> globals = new HashMap<>();
        for (DefinedSymbol s : symbols) {
            if (s.binding() != Elf.STB_LOCAL) {
                globals.putIfAbsent(s.name(), s);
            }
        }
        List<ModuleInfo.Export> exports = new ArrayList<>();
        boolean records = false;
        for (String table : TABLES) {
            Optional<Placement> p = placement(sections, table);
            if (p.isPresent()) {
                records = true;
                fromRecords(module, table, p.get(), image, base, globals, exports);
            }
        }
        if (records) {
            return exports;
        }
        for (String name : names) {
            DefinedSymbol s = globals.get(name);
            if (s == null) {
                throw new Failed(LinuxErrno.ENOEXEC,
                        module + ": __ksymtab_strings names " + name + ", which the object does not define");
            }
            exports.add(new ModuleInfo.Export(name, s.address(), s.type() == Elf.STT_FUNC, false));
        }
        return exports;
    }

    private static void fromRecords(String module, String table, Placement p, byte[] image, long base,
                                    Map<String, DefinedSymbol> globals, List<ModuleInfo.Export> out) throws Failed {
        ByteBuffer view = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = p.address(); at + KSYMTAB_RECORD <= p.end(); at += KSYMTAB_RECORD) {
            long off = at - base;
            long value = view.getLong((int) off);
            long namePointer = view.getLong((int) off + 8) - base;
            if (namePointer < 0 || namePointer >= image.length) {
                throw new Failed(LinuxErrno.ENOEXEC, module + ": " + table + " record at " + ModuleStatus.hex(at)
                        + " names a symbol outside the image");
            }
            int end = (int) namePointer;
            while (end < image.length && image[end] != 0) {
                end++;
            }
            String symbol = new String(image, (int) namePointer, end - (int) namePointer, StandardCharsets.ISO_8859_1);
            DefinedSymbol defined = globals.get(symbol);
            out.add(new ModuleInfo.Export(symbol, value, defined != null && defined.type() == Elf.STT_FUNC,
                    table.equals("__ksymtab_gpl")));
        }
    }

    static Optional<Placement> placement(List<Placement> sections, String name) {
        for (Placement p : sections) {
            if (p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}

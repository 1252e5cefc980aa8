package modtools.load.symbols;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import modtools.contract.ModuleSymbols;
import modtools.elf.ElfFormatException;
import modtools.link.LinkedImage;
import modtools.link.Placement;
import modtools.link.Region;

/** A linked image's symbols as its module directory's {@code kallsyms} holds them. */
public final class ImageSymbols {
    private ImageSymbols() {}

    /**
     * The named symbols of the image, typed by where they lie; {@code exports} upper-case. The
     * init part's are there too, so that a fault in init is named; the host lists a live
     * module's symbols only as far as its module file still reaches, as /proc/kallsyms drops a
     * module's init symbols once init has run.
     */
    public static ModuleSymbols of(String module, LinkedImage image, Set<String> exports) throws ElfFormatException {
        long end = image.layout().end();
        List<ModuleSymbols.Entry> entries = new ArrayList<>();
        for (LinkedImage.DefinedSymbol s : image.definedSymbols()) {
            if (s.name().startsWith(".L")) {
                continue; // the assembler's own labels, which kallsyms leaves out too
            }
            if (Long.compareUnsigned(s.address(), image.layout().base()) < 0
                    || Long.compareUnsigned(s.address(), end) >= 0) {
                continue; // absolute
            }
            char type = letter(region(image.layout().sections(), s.address()));
            entries.add(new ModuleSymbols.Entry(s.address(), s.size(),
                    exports.contains(s.name()) ? Character.toUpperCase(type) : type, s.name()));
        }
        return new ModuleSymbols(module, entries);
    }

    private static Region region(List<Placement> sections, long address) {
        for (Placement p : sections) {
            if (Long.compareUnsigned(p.address(), address) <= 0 && Long.compareUnsigned(address, p.end()) < 0) {
                return p.region();
            }
        }
        return Region.BSS; // COMMON symbols, placed after every section
    }

    private static char letter(Region region) {
        return switch (region) {
            case TEXT, INIT_TEXT -> 't';
            case RODATA -> 'r';
            case DATA, INIT_DATA -> 'd';
            case BSS -> 'b';
        };
    }
}

package modtools.link;

import java.io.IOException;
import modtools.contract.ImageHeader;
import modtools.elf.Elf;
import modtools.elf.ElfFormatException;

/**
 * The layout as text, one item a line, fields separated by one space, names last (they may
 * hold spaces), addresses as {@code 0x} and 16 hex digits, sizes in hex, alignments in decimal.
 * README.md, "The link map", describes each line; the first line names the format and its
 * version, which changes whenever a line does.
 */
public final class LinkMap {
    public static final String FORMAT = "modtools-link-map 1";

    private LinkMap() {}

    public static void write(LinkedImage linked, Appendable out) throws IOException, ElfFormatException {
        Layout l = linked.layout();
        ImageHeader h = l.header();
        out.append(FORMAT).append('\n');
        out.append("image ").append(address(l.base())).append(' ').append(hex(h.imageSize()))
                .append(' ').append(hex(h.coreSize())).append('\n');
        region(out, "text", l.base(), h.textEnd());
        region(out, "rodata", h.textEnd(), h.rodataEnd());
        region(out, "data", h.rodataEnd(), l.coreEnd());
        region(out, "init-text", l.coreEnd(), h.initTextEnd());
        region(out, "init-data", h.initTextEnd(), l.end());
        out.append("init ").append(address(h.init())).append('\n');
        out.append("exit ").append(address(h.exit())).append('\n');
        for (Placement p : l.sections()) {
            out.append("section ").append(address(p.address())).append(' ').append(hex(p.size())).append(' ')
                    .append(Long.toString(p.alignment())).append(' ').append(p.region().label()).append(' ')
                    .append(p.name()).append('\n');
        }
        for (Layout.Veneer v : l.veneers()) {
            out.append("veneer ").append(address(v.address())).append(' ').append(address(v.target())).append(' ')
                    .append(v.symbol()).append('\n');
        }
        for (Layout.GotEntry g : l.got().entries()) {
            out.append("got ").append(address(g.address())).append(' ').append(address(g.value())).append(' ')
                    .append(g.symbol()).append('\n');
        }
        for (Layout.Common c : l.commons()) {
            out.append("common ").append(address(c.address())).append(' ').append(hex(c.size())).append(' ')
                    .append(Long.toString(c.alignment())).append(' ').append(c.symbol()).append('\n');
        }
        for (LinkedImage.DefinedSymbol s : linked.definedSymbols()) {
            String binding = switch (s.binding()) {
                case Elf.STB_LOCAL -> "local";
                case Elf.STB_GLOBAL -> "global";
                case Elf.STB_WEAK -> "weak";
                default -> Integer.toString(s.binding());
            };
            out.append("symbol ").append(address(s.address())).append(' ').append(binding).append(' ')
                    .append(s.name()).append('\n');
        }
    }

    private static void region(Appendable out, String name, long start, long end) throws IOException {
        out.append("region ").append(name).append(' ').append(address(start)).append(' ').append(address(end)).append('\n');
    }

    private static String address(long a) {
        String digits = Long.toHexString(a);
        return "0x" + "0000000000000000".substring(digits.length()) + digits;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}

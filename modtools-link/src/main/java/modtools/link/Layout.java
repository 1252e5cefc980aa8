package modtools.link;

import java.util.List;
import modtools.contract.ImageHeader;

/**
 * Where everything goes in an image linked at {@code base}: the header's region ends, every
 * input section that is loaded, the GOT, the veneers and the COMMON symbols. Printed by
 * {@link LinkMap}.
 */
public record Layout(long base, ImageHeader header, List<Placement> sections, Got got, List<Veneer> veneers,
                     List<Common> commons) {

    /** The GOT at the end of rodata: one address per symbol that GOT relocations name, in first-use order. */
    public record Got(long address, List<GotEntry> entries) {
        public long size() {
            return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).address() + 8 - address;
        }
    }

    public record GotEntry(String symbol, long address, long value) {}

    /** A jump to {@code target} at the end of text, standing in for a function beyond a 32-bit field's reach. */
    public record Veneer(String symbol, long address, long size, long target) {}

    /** A COMMON symbol given space at the end of bss. */
    public record Common(String symbol, long address, long size, long alignment) {}

    public long end() {
        return base + header.imageSize();
    }

    public long coreEnd() {
        return base + header.coreSize();
    }
}

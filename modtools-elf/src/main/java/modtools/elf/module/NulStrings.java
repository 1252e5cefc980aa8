package modtools.elf.module;

import java.util.ArrayList;
import java.util.List;
import modtools.elf.ByteView;
import modtools.elf.ElfFormatException;

/**
 * Splits a block of NUL-separated strings the way kmod does for {@code .modinfo} and
 * {@code __ksymtab_strings}: runs of NULs (alignment padding) separate, never produce empty
 * strings, and a last string without a terminator still counts.
 */
public final class NulStrings {
    private NulStrings() {}

    public static List<String> split(ByteView block, String what) throws ElfFormatException {
        List<String> out = new ArrayList<>();
        long size = block.size();
        long start = 0;
        for (long i = 0; i <= size; i++) {
            if (i == size || block.u8(i, what) == 0) {
                if (i > start) {
                    out.add(block.string(start, (int) (i - start), what));
                }
                start = i + 1;
            }
        }
        return out;
    }
}

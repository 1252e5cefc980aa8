package modtools.elf.module;

import java.nio.charset.StandardCharsets;
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

    /** Receives each string of a block as its byte range. */
    interface Visitor {
        void visit(byte[] bytes, int start, int end);
    }

    public static List<String> split(ByteView block, String what) throws ElfFormatException {
        List<String> out = new ArrayList<>();
        scan(block, what, new Visitor() {
            @Override
            public void visit(byte[] bytes, int start, int end) {
                out.add(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
            }
        });
        return out;
    }

    /** Hands each string to {@code visitor} in order, after one bulk copy: far cheaper than a checked read per byte. */
    static void scan(ByteView block, String what, Visitor visitor) throws ElfFormatException {
        byte[] bytes = block.bytes(0, (int) block.size(), what);
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i > start) {
                    visitor.visit(bytes, start, i);
                }
                start = i + 1;
            }
        }
    }
}

package modtools.load.linux;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.Section;

/**
 * What --force-modversion and --force-vermagic change in a module image that goes to
 * init_module(2), exactly as kmod's kmod_elf_strip_section("__versions") and
 * kmod_elf_strip_vermagic do: the kernel skips a section without SHF_ALLOC when it looks for
 * {@code __versions}, and loads a module without a {@code vermagic=} string as forced. The
 * image must be our own copy (finit_module gets flags instead and the file stays untouched).
 * A module without the section or the string is left as it is: kmod only notes that at INFO.
 */
final class ForcedImage {
    private static final byte[] VERMAGIC = "vermagic=".getBytes(StandardCharsets.US_ASCII);
    /** sh_flags follows sh_name and sh_type in both ELF classes. */
    private static final int SH_FLAGS = 8;

    private ForcedImage() {}

    /** Strips in place; the image runs from index 0 to its limit. */
    static void strip(ByteBuffer image, String file, boolean versions, boolean vermagic) throws ElfFormatException {
        ElfFile elf = ElfFile.parse(file, image);
        if (versions) {
            Optional<Section> section = elf.section("__versions");
            if (section.isPresent()) {
                clearAlloc(image, elf, section.get());
            }
        }
        if (vermagic) {
            Optional<Section> modinfo = elf.section(".modinfo");
            if (modinfo.isPresent()) {
                elf.data(modinfo.get()); // the section must lie inside the image
                clearVermagic(image, modinfo.get());
            }
        }
    }

    private static void clearAlloc(ByteBuffer image, ElfFile elf, Section section) {
        long at = elf.header().sectionHeaderOffset() + (long) section.index() * elf.header().sectionHeaderEntrySize()
                + SH_FLAGS;
        ByteBuffer b = image.duplicate().order(elf.header().order());
        if (elf.is64()) {
            b.putLong((int) at, b.getLong((int) at) & ~Elf.SHF_ALLOC);
        } else {
            b.putInt((int) at, b.getInt((int) at) & (int) ~Elf.SHF_ALLOC);
        }
    }

    /**
     * kmod's scan of .modinfo: past leading padding, string by string, the first one that
     * starts with "vermagic=" is overwritten with NULs.
     */
    private static void clearVermagic(ByteBuffer image, Section modinfo) {
        int start = (int) modinfo.offset();
        int size = (int) modinfo.size();
        while (size > 1 && image.get(start) == 0) {
            start++;
            size--;
        }
        if (size <= 1) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (image.get(start + i) == 0 || i + 1 >= size || i + VERMAGIC.length >= size) {
                continue;
            }
            int length = stringLength(image, start + i, start + size);
            if (!startsWith(image, start + i, VERMAGIC)) {
                i += length;
                continue;
            }
            for (int j = 0; j < length; j++) {
                image.put(start + i + j, (byte) 0);
            }
            return;
        }
    }

    /** strlen, bounded by the section's end. */
    private static int stringLength(ByteBuffer image, int from, int end) {
        int at = from;
        while (at < end && image.get(at) != 0) {
            at++;
        }
        return at - from;
    }

    private static boolean startsWith(ByteBuffer image, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (image.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

package modtools.elf;

import java.nio.ByteOrder;

/** The file header, with the class and byte order already decided. */
public record ElfHeader(
        boolean is64,
        ByteOrder order,
        int osAbi,
        int type,
        int machine,
        long entry,
        long programHeaderOffset,
        long sectionHeaderOffset,
        long flags,
        int headerSize,
        int sectionHeaderEntrySize,
        int sectionCount,
        int sectionNameTableIndex) {
}

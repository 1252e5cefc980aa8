package modtools.elf;

/** One section header, its name resolved. */
public record Section(
        int index,
        String name,
        int type,
        long flags,
        long address,
        long offset,
        long size,
        int link,
        int info,
        long alignment,
        long entrySize) {

    public boolean isAllocated() {
        return (flags & Elf.SHF_ALLOC) != 0;
    }

    /** Bytes the section occupies in the file: none for SHT_NOBITS. */
    public long fileSize() {
        return type == Elf.SHT_NOBITS ? 0 : size;
    }
}

package modtools.elf;

/**
 * A symbol table entry. {@code sectionIndex} is already resolved through
 * SHT_SYMTAB_SHNDX when the entry said SHN_XINDEX.
 */
public record Symbol(
        int index,
        String name,
        long value,
        long size,
        int binding,
        int type,
        int visibility,
        int sectionIndex) {

    public boolean isUndefined() {
        return sectionIndex == Elf.SHN_UNDEF;
    }

    public boolean isGlobal() {
        return binding == Elf.STB_GLOBAL || binding == Elf.STB_WEAK;
    }
}

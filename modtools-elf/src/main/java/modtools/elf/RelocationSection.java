package modtools.elf;

/** A relocation section with the section its entries patch and the symbol table they name. */
public record RelocationSection(Section section, Section target, Section symbolTable) {
    public boolean hasAddends() {
        return section.type() == Elf.SHT_RELA;
    }
}

package modtools.link;

/**
 * What a relocation computes, in the psABI's letters: S the symbol's address, A the addend,
 * P the address of the field, G the offset of the symbol's GOT entry from the GOT, GOT the
 * GOT's address, L the symbol's call target (its veneer when it has one), Z its size. The
 * linker computes these the same way for every architecture; an architecture only says which
 * one a type means and how its field takes the bits.
 */
public enum Meaning {
    /** Nothing to do. */
    NONE,
    /** S + A */
    ABSOLUTE,
    /** S + A - P */
    PC_RELATIVE,
    /** L + A - P */
    CALL,
    /** G + GOT + A - P: the address of the GOT entry, PC-relative */
    GOT_ENTRY_PC,
    /** G + A */
    GOT_ENTRY_OFFSET,
    /** S + A - GOT */
    GOT_RELATIVE,
    /** GOT + A - P */
    GOT_BASE_PC,
    /** L + A - GOT */
    CALL_GOT_RELATIVE,
    /** Z + A */
    SIZE;

    /** Whether the symbol needs a GOT entry. */
    public boolean usesGotEntry() {
        return this == GOT_ENTRY_PC || this == GOT_ENTRY_OFFSET;
    }

    /** Whether the field holds the symbol's address or a distance to it: a veneer can stand in for a far function. */
    public boolean reachesSymbol() {
        return this == ABSOLUTE || this == PC_RELATIVE || this == CALL;
    }
}

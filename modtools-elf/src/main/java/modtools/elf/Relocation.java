package modtools.elf;

/** One SHT_REL or SHT_RELA entry; {@code addend} is 0 and {@code explicitAddend} false for SHT_REL. */
public record Relocation(long offset, int type, int symbolIndex, long addend, boolean explicitAddend) {
}

package modtools.elf.module;

/**
 * A symbol the module needs from the kernel or another module. {@code crc} is the version
 * it was built against from {@code __versions}, 0 when the table does not list it (as kmod).
 */
public record Import(String symbol, boolean weak, long crc) {
}

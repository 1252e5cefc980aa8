package modtools.elf.module;

/** An entry of {@code __versions}: the CRC the module was built against for an imported symbol. */
public record SymbolVersion(String symbol, long crc) {
}

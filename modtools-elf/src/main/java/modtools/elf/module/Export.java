package modtools.elf.module;

/** A symbol the module exports, with its modversions CRC (0 without modversions). */
public record Export(String symbol, long crc) {
}

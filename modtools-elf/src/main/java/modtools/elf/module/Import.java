package modtools.elf.module;

import java.util.OptionalLong;

/** A symbol the module needs from the kernel or another module, with its CRC when modversions are on. */
public record Import(String symbol, boolean weak, OptionalLong crc) {
}

package modtools.elf;

/** One entry of a SHT_NOTE section; the descriptor is a view, not a copy. */
public record Note(String name, long type, ByteView descriptor) {
}

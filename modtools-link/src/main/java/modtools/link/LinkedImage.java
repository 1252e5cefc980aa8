package modtools.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import modtools.elf.ElfFormatException;

/** The result of a link: the layout and the image's bytes, header first. */
public final class LinkedImage {
    private final Layout layout;
    private final byte[] image;
    private final Linker linker;

    LinkedImage(Layout layout, byte[] image, Linker linker) {
        this.layout = layout;
        this.image = image;
        this.linker = linker;
    }

    public Layout layout() {
        return layout;
    }

    /** The image, read-only: {@code layout().header().imageSize()} bytes to map at {@code layout().base()}. */
    public ByteBuffer bytes() {
        return ByteBuffer.wrap(image).asReadOnlyBuffer();
    }

    /** The object's named definitions at their addresses in the image, in address order. */
    public List<DefinedSymbol> definedSymbols() throws ElfFormatException {
        return linker.definedSymbols();
    }

    /**
     * Writes the image to {@code file}, replacing what was there. A stream writes the array
     * with one native copy; a channel would first copy it into a zeroed direct buffer.
     */
    public void write(Path file) throws IOException {
        try (OutputStream out = new FileOutputStream(file.toFile())) {
            out.write(image);
        }
    }

    /** @param binding the ELF binding: STB_LOCAL, STB_GLOBAL or STB_WEAK */
    public record DefinedSymbol(String name, long address, int binding) {
        static final Comparator<DefinedSymbol> BY_ADDRESS = new Comparator<>() {
            @Override
            public int compare(DefinedSymbol a, DefinedSymbol b) {
                return Long.compareUnsigned(a.address, b.address);
            }
        };
    }
}

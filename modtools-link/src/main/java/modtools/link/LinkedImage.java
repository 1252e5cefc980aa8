package modtools.link;

import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import modtools.elf.ElfFormatException;

/** The result of a link: the layout and the image's bytes, header first. */
public final class LinkedImage {
    private final Layout layout;
    private final ByteBuffer image;
    private final Linker linker;

    LinkedImage(Layout layout, ByteBuffer image, Linker linker) {
        this.layout = layout;
        this.image = image;
        this.linker = linker;
    }

    public Layout layout() {
        return layout;
    }

    /** The image, read-only: {@code layout().header().imageSize()} bytes to map at {@code layout().base()}. */
    public ByteBuffer bytes() {
        return image.asReadOnlyBuffer().order(image.order());
    }

    /** The object's named definitions at their addresses in the image, in address order. */
    public List<DefinedSymbol> definedSymbols() throws ElfFormatException {
        return linker.definedSymbols();
    }

    /**
     * @param size    the symbol's st_size
     * @param type    the ELF type: STT_FUNC, STT_OBJECT, STT_NOTYPE...
     * @param binding the ELF binding: STB_LOCAL, STB_GLOBAL or STB_WEAK
     */
    public record DefinedSymbol(String name, long address, long size, int type, int binding) {
        static final Comparator<DefinedSymbol> BY_ADDRESS = new Comparator<>() {
            @Override
            public int compare(DefinedSymbol a, DefinedSymbol b) {
                return Long.compareUnsigned(a.address, b.address);
            }
        };
    }
}

package modtools.modfs.host;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The image header, the one structure loader and host share (DESIGN.md, "The image header"):
 * at offset 0, little-endian. Sizes count bytes from the image's start; {@code init},
 * {@code exit}, {@code textEnd}, {@code rodataEnd} and {@code initTextEnd} are absolute
 * addresses, since the loader relocated the image to the address {@code map} gave it.
 */
public record ImageHeader(int magic, int version, int headerSize, long imageSize, long coreSize, long init,
                          long exit, long textEnd, long rodataEnd, long initTextEnd) {
    public static final int MAGIC = 0x46444f4d;
    public static final int VERSION = 1;
    public static final int SIZE = 64;

    /** Reads the header from the first {@link #SIZE} bytes of {@code image}. */
    public static ImageHeader read(ByteBuffer image) {
        ByteBuffer b = image.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new ImageHeader(b.getInt(0), Short.toUnsignedInt(b.getShort(4)), Short.toUnsignedInt(b.getShort(6)),
                b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48),
                b.getLong(56));
    }
}

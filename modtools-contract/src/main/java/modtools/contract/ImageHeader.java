package modtools.contract;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header at offset 0 of every image, the one structure the linker writes and the host reads
 * (docs/image-format.md): little-endian; sizes count bytes from the image's start; {@code init},
 * {@code exit}, {@code textEnd}, {@code rodataEnd} and {@code initTextEnd} are absolute
 * addresses, since the loader relocated the image to the address {@code map} gave it. Every
 * region ends on a page.
 *
 * @param magic       {@link #MAGIC} in an image; whatever the bytes hold in one read to be checked
 * @param imageSize   total bytes
 * @param coreSize    bytes kept after init; [coreSize, imageSize) is init-only
 * @param init        address of {@code int init(void)}, or 0
 * @param exit        address of {@code void exit(void)}, or 0
 * @param textEnd     [base, textEnd) is code, header included
 * @param rodataEnd   [textEnd, rodataEnd) is read-only data and the GOT
 * @param initTextEnd [base + coreSize, initTextEnd) is init code; the rest of the tail init data
 */
public record ImageHeader(int magic, int version, int headerSize, long imageSize, long coreSize, long init,
                          long exit, long textEnd, long rodataEnd, long initTextEnd) {
    public static final int MAGIC = 0x46444f4d; // "MODF" read as a little-endian u32
    public static final int VERSION = 1;
    public static final int SIZE = 64;

    /** A header of this version with the magic, for the linker to write. */
    public static ImageHeader of(long imageSize, long coreSize, long init, long exit, long textEnd, long rodataEnd,
                                 long initTextEnd) {
        return new ImageHeader(MAGIC, VERSION, SIZE, imageSize, coreSize, init, exit, textEnd, rodataEnd, initTextEnd);
    }

    public void write(ByteBuffer image) {
        ByteBuffer b = image.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, magic).putShort(4, (short) version).putShort(6, (short) headerSize)
                .putLong(8, imageSize).putLong(16, coreSize).putLong(24, init).putLong(32, exit)
                .putLong(40, textEnd).putLong(48, rodataEnd).putLong(56, initTextEnd);
    }

    /** Reads the header from the first {@link #SIZE} bytes of {@code image}; checking it is the reader's. */
    public static ImageHeader read(ByteBuffer image) {
        ByteBuffer b = image.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new ImageHeader(b.getInt(0), Short.toUnsignedInt(b.getShort(4)), Short.toUnsignedInt(b.getShort(6)),
                b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48),
                b.getLong(56));
    }

    public static boolean hasMagic(ByteBuffer image) {
        return image.remaining() >= SIZE && image.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
    }
}

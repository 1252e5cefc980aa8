package modtools.elf.module;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The decompressed size an xz file records in its index, read from its end without decoding:
 * each stream's footer points back to its index, whose records give each block's sizes, and the
 * blocks lead back to the stream's header (and to the previous stream, past its padding). Only
 * the footers, indexes and headers are touched, a few pages of the file.
 */
final class XzIndex {
    private static final int HEADER_SIZE = 12;
    private static final int FOOTER_SIZE = 12;
    private static final byte[] HEADER_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};

    private final ByteBuffer in;
    private int at;
    private int end;

    private XzIndex(ByteBuffer in) {
        this.in = in;
    }

    /** The sum of every stream's uncompressed size, or -1 when the file does not add up. */
    static long uncompressedSize(ByteBuffer file) {
        return new XzIndex(file.slice().order(ByteOrder.LITTLE_ENDIAN)).streams();
    }

    private long streams() {
        long total = 0;
        int streamEnd = in.limit();
        while (streamEnd > 0) {
            while (streamEnd >= 4 && in.getInt(streamEnd - 4) == 0) {
                streamEnd -= 4;
            }
            long stream = stream(streamEnd);
            if (stream < 0 || total + stream > Integer.MAX_VALUE) {
                return -1;
            }
            total += stream;
            streamEnd = at;
        }
        return total;
    }

    /** The uncompressed size of the stream ending at {@code streamEnd}; {@link #at} its start. */
    private long stream(int streamEnd) {
        if (streamEnd < HEADER_SIZE + FOOTER_SIZE || in.get(streamEnd - 2) != 'Y' || in.get(streamEnd - 1) != 'Z') {
            return -1;
        }
        long indexSize = (Integer.toUnsignedLong(in.getInt(streamEnd - 8)) + 1) * 4;
        long indexStart = streamEnd - FOOTER_SIZE - indexSize;
        if (indexStart < HEADER_SIZE) {
            return -1;
        }
        at = (int) indexStart;
        end = streamEnd - FOOTER_SIZE;
        if (in.get(at++) != 0) {
            return -1;
        }
        long records = varint();
        long blocks = 0;
        long uncompressed = 0;
        for (long i = 0; i < records; i++) {
            long unpadded = varint();
            long size = varint();
            if (unpadded < 0 || size < 0) {
                return -1;
            }
            blocks += (unpadded + 3) & ~3L;
            uncompressed += size;
            if (blocks > indexStart || uncompressed > Integer.MAX_VALUE) {
                return -1;
            }
        }
        long start = indexStart - blocks - HEADER_SIZE;
        if (records < 0 || start < 0 || !magicAt((int) start)) {
            return -1;
        }
        at = (int) start;
        return uncompressed;
    }

    /** A multibyte integer of the index (7 bits a byte, low first), or -1 past the index. */
    private long varint() {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            if (at >= end) {
                return -1;
            }
            int b = in.get(at++) & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }

    private boolean magicAt(int pos) {
        for (int i = 0; i < HEADER_MAGIC.length; i++) {
            if (in.get(pos + i) != HEADER_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }
}

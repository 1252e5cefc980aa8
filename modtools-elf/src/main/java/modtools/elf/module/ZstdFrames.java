package modtools.elf.module;

import io.airlift.compress.zstd.ZstdInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a zstd file with the results kmod gets from libzstd (1.5), in either of the ways kmod
 * calls it. Streamed (kmod 30): frames one after another, skippable frames skipped, and no
 * error when the input simply stops; libzstd hands out every block as soon as it is complete,
 * and raw blocks even byte by byte, so a truncated file yields whatever was decoded up to the
 * cut (a file missing just its checksum loads completely). In one call (kmod 34.2's
 * ZSTD_decompress into a buffer of the first frame's content size): every frame must be whole
 * and fit the buffer, and bytes after a frame must be frames. This class walks frames and
 * blocks itself to find where libzstd stops, and lets aircompressor decode the bytes. It
 * rejects what libzstd rejects, as libzstd's {@link ZstdProblem}.
 */
final class ZstdFrames {
    private static final byte[] MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final int SKIPPABLE_MAGIC = 0x184d2a50;
    private static final int SKIPPABLE_MASK = 0xfffffff0;
    /** libzstd's default limit for streaming (ZSTD_WINDOWLOG_LIMIT_DEFAULT); kmod 30 does not raise it. */
    private static final long STREAM_MAX_WINDOW = (1L << 27) + 1;
    /**
     * Decoding in one call has the whole output at hand: only the format's own limit holds,
     * the window of descriptor 0xff.
     */
    private static final long ONE_SHOT_MAX_WINDOW = (1L << 41) + 7 * (1L << 38);
    /** ZSTD_BLOCKSIZE_MAX: no block is larger, nor larger than its frame's window. */
    private static final int MAX_BLOCK = 1 << 17;
    private static final int MAX_WINDOW_LOG = 31;
    private static final int MIN_WINDOW_LOG = 10;
    private static final int BLOCK_HEADER_SIZE = 3;
    private static final int RAW_BLOCK = 0;
    private static final int RLE_BLOCK = 1;
    private static final int RESERVED_BLOCK = 3;
    private static final int CHECKSUM_SIZE = 4;
    private static final int SKIPPABLE_HEADER_SIZE = 8;
    /** ZSTD_startingInputLength: fewer bytes left after a frame end ZSTD_decompress's loop. */
    private static final int FRAME_START_SIZE = 5;
    /** ZSTD_FRAMEHEADERSIZE_MIN and a block header: the smallest input ZSTD_decompress takes for a frame. */
    private static final int MIN_FRAME_SIZE = 9;

    private final ByteBuffer in;
    private final BoundedOutput out;

    private ZstdFrames(ByteBuffer in, BoundedOutput out) {
        this.in = in;
        this.out = out;
    }

    /** Decodes all of {@code compressed} into {@code out} as libzstd streams it; malformed input throws. */
    static void decode(ByteBuffer compressed, BoundedOutput out) throws IOException {
        new ZstdFrames(compressed.slice().order(ByteOrder.LITTLE_ENDIAN), out).frames();
    }

    /**
     * Decodes all of {@code compressed} into {@code out} as libzstd's ZSTD_decompress does in
     * one call; {@code out} fails with {@link ZstdProblem#DST_TOO_SMALL} past the first frame's
     * content size, as the buffer kmod 34.2 gives it.
     */
    static void decodeWhole(ByteBuffer compressed, BoundedOutput out) throws IOException {
        new ZstdFrames(compressed.slice().order(ByteOrder.LITTLE_ENDIAN), out).wholeFrames();
    }

    /**
     * The content size the first frame header records, as unsigned, where the file starts with
     * a zstd frame whose header is complete and records a size other than 0: where libzstd's
     * ZSTD_getFrameContentSize gives kmod 34.2 a size it takes (a skippable frame first gives 0,
     * a damaged or cut header an error); else 0.
     */
    static long usableContentSize(ByteBuffer compressed) {
        ByteBuffer in = compressed.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (in.limit() <= MAGIC.length || !in.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
            return 0;
        }
        int descriptor = in.get(MAGIC.length) & 0xff;
        int headerSize = FrameHeader.size(descriptor);
        if ((descriptor & 0x08) != 0 || headerSize > in.limit() - MAGIC.length
                || FrameHeader.contentSizeBytes(descriptor) == 0) {
            return 0;
        }
        boolean singleSegment = (descriptor & 0x20) != 0;
        if (!singleSegment && MIN_WINDOW_LOG + ((in.get(MAGIC.length + 1) & 0xff) >>> 3) > MAX_WINDOW_LOG) {
            return 0; // libzstd fails such a header before it reads the size
        }
        int bytes = FrameHeader.contentSizeBytes(descriptor);
        return FrameHeader.little(in, MAGIC.length + headerSize - bytes, bytes) + (bytes == 2 ? 256 : 0);
    }

    private void frames() throws IOException {
        int end = in.limit();
        int pos = 0;
        while (pos < end) {
            int available = end - pos;
            if (!knownMagicPrefix(pos, Math.min(MAGIC.length, available))) {
                throw ZstdProblem.UNKNOWN_FRAME.failure();
            }
            if (available < MAGIC.length) {
                return;
            }
            if ((in.getInt(pos) & SKIPPABLE_MASK) == SKIPPABLE_MAGIC) {
                if (available < 8 || 8 + Integer.toUnsignedLong(in.getInt(pos + 4)) > available) {
                    return;
                }
                pos += 8 + in.getInt(pos + 4);
            } else {
                pos = frame(pos, end);
            }
        }
    }

    /**
     * ZSTD_decompress's loop. The file starts with a zstd frame (else it is not taken for zstd),
     * so whatever follows a frame and begins none is, in libzstd's reading, input given with a
     * wrong size.
     */
    private void wholeFrames() throws IOException {
        int end = in.limit();
        int pos = 0;
        while (end - pos >= FRAME_START_SIZE) {
            if ((in.getInt(pos) & SKIPPABLE_MASK) == SKIPPABLE_MAGIC) {
                if (end - pos < SKIPPABLE_HEADER_SIZE) {
                    throw ZstdProblem.SRC_SIZE.failure();
                }
                long skipped = SKIPPABLE_HEADER_SIZE + Integer.toUnsignedLong(in.getInt(pos + 4));
                if (skipped > 0xffffffffL) {
                    throw ZstdProblem.UNSUPPORTED_PARAMETER.failure(); // libzstd's 32-bit sum overflows
                }
                if (skipped > end - pos) {
                    throw ZstdProblem.SRC_SIZE.failure();
                }
                pos += (int) skipped;
            } else if (end - pos < MIN_FRAME_SIZE || !in.slice(pos, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
                throw ZstdProblem.SRC_SIZE.failure();
            } else {
                pos = wholeFrame(pos, end);
            }
        }
        if (pos != end) {
            throw ZstdProblem.SRC_SIZE.failure();
        }
    }

    /**
     * Decodes the frame at {@code pos}, which must be whole; returns where the next one starts.
     * Blocks before a cut are decoded first, since libzstd fails on them before it meets the cut.
     */
    private int wholeFrame(int pos, int end) throws IOException {
        int at = pos + MAGIC.length;
        if (FrameHeader.size(in.get(at) & 0xff) + BLOCK_HEADER_SIZE > end - at) {
            throw ZstdProblem.SRC_SIZE.failure();
        }
        FrameHeader header = FrameHeader.read(in, at, ONE_SHOT_MAX_WINDOW);
        List<Block> blocks = new ArrayList<>();
        at += header.size();
        while (true) {
            if (end - at < BLOCK_HEADER_SIZE) {
                throw cut(header, blocks, false, ZstdProblem.SRC_SIZE);
            }
            int bits = u24(at);
            int type = bits >>> 1 & 3;
            int payload = type == RLE_BLOCK ? 1 : bits >>> 3;
            if (type == RESERVED_BLOCK) {
                throw cut(header, blocks, false, ZstdProblem.CORRUPT);
            }
            if (end - at - BLOCK_HEADER_SIZE < payload) {
                throw cut(header, blocks, false, ZstdProblem.SRC_SIZE);
            }
            if (payload > header.blockSizeMax()) {
                throw cut(header, blocks, false, ZstdProblem.CORRUPT);
            }
            if (out.full() && bits >>> 3 > 0) {
                // libzstd finds no room for a block's first byte before it looks further into it
                throw cut(header, blocks, false, ZstdProblem.DST_TOO_SMALL);
            }
            blocks.add(new Block(at, type, bits >>> 3, payload));
            at += BLOCK_HEADER_SIZE + payload;
            if ((bits & 1) != 0) {
                break;
            }
        }
        int frameEnd = at + (header.checksum() ? CHECKSUM_SIZE : 0);
        if (frameEnd > end) {
            throw cut(header, blocks, true, ZstdProblem.CHECKSUM);
        }
        decodeChecked(new BufferInputStream(in.slice(pos, frameEnd - pos)), header, true);
        return frameEnd;
    }

    /** {@code problem}, once the blocks before it are decoded and have failed on nothing else. */
    private DecodeFailure cut(FrameHeader header, List<Block> blocks, boolean lastBlockDone, ZstdProblem problem)
            throws IOException {
        if (!blocks.isEmpty()) {
            decodeChecked(new ByteArrayInputStream(standIn(header, blocks)), header, lastBlockDone);
        }
        return problem.failure();
    }

    /**
     * libzstd rejects a frame start as soon as the bytes it has cannot begin a zstd or
     * skippable magic, even when fewer than four are left.
     */
    private boolean knownMagicPrefix(int pos, int length) {
        boolean zstd = true;
        boolean skippable = true;
        for (int i = 0; i < length; i++) {
            int b = in.get(pos + i) & 0xff;
            zstd &= b == (MAGIC[i] & 0xff);
            int expected = SKIPPABLE_MAGIC >>> (8 * i) & 0xff;
            skippable &= i == 0 ? (b & 0xf0) == expected : b == expected;
        }
        return zstd || skippable;
    }

    /** Decodes the frame at {@code pos}; returns where the next one starts. */
    private int frame(int pos, int end) throws IOException {
        int at = pos + MAGIC.length;
        if (at >= end) {
            return end;
        }
        if (FrameHeader.size(in.get(at) & 0xff) > end - at) {
            return end;
        }
        FrameHeader header = FrameHeader.read(in, at, STREAM_MAX_WINDOW);
        List<Block> blocks = new ArrayList<>();
        at += header.size();
        while (true) {
            if (end - at < BLOCK_HEADER_SIZE) {
                return truncated(header, blocks, null, false, end);
            }
            int bits = u24(at);
            int type = bits >>> 1 & 3;
            int size = bits >>> 3;
            if (type == RESERVED_BLOCK) {
                throw ZstdProblem.CORRUPT.failure();
            }
            int payload = type == RLE_BLOCK ? 1 : size;
            if (payload > header.blockSizeMax()) {
                throw ZstdProblem.CORRUPT.failure();
            }
            int available = end - at - BLOCK_HEADER_SIZE;
            if (available < payload) {
                Block partial = type == RAW_BLOCK && available > 0 ? new Block(at, type, available, available) : null;
                return truncated(header, blocks, partial, false, end);
            }
            blocks.add(new Block(at, type, size, payload));
            at += BLOCK_HEADER_SIZE + payload;
            if ((bits & 1) != 0) {
                break;
            }
        }
        int frameEnd = at + (header.checksum() ? CHECKSUM_SIZE : 0);
        if (frameEnd > end) {
            return truncated(header, blocks, null, true, end);
        }
        decodeChecked(new BufferInputStream(in.slice(pos, frameEnd - pos)), header, true);
        return frameEnd;
    }

    /**
     * What libzstd produced before the input ran out: the complete blocks plus the part of a
     * raw block that arrived, decoded as a frame of their own. The window stays as large as
     * the original frame's, so back-references still reach.
     */
    private int truncated(FrameHeader header, List<Block> blocks, Block partialRaw, boolean lastBlockDone, int end)
            throws IOException {
        List<Block> emitted = new ArrayList<>(blocks);
        if (partialRaw != null) {
            emitted.add(partialRaw);
        }
        if (!emitted.isEmpty()) {
            decodeChecked(new ByteArrayInputStream(standIn(header, emitted)), header, lastBlockDone);
        }
        return end;
    }

    private byte[] standIn(FrameHeader header, List<Block> blocks) {
        int size = MAGIC.length + 2;
        for (Block b : blocks) {
            size += BLOCK_HEADER_SIZE + b.payload();
        }
        ByteBuffer frame = ByteBuffer.allocate(size);
        frame.put(MAGIC).put((byte) 0).put((byte) header.windowDescriptor());
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            int bits = b.size() << 3 | b.type() << 1 | (i == blocks.size() - 1 ? 1 : 0);
            frame.put((byte) bits).put((byte) (bits >>> 8)).put((byte) (bits >>> 16));
            frame.put(in.slice(b.at() + BLOCK_HEADER_SIZE, b.payload()));
        }
        return frame.array();
    }

    private int u24(int at) {
        return in.get(at) & 0xff | (in.get(at + 1) & 0xff) << 8 | (in.get(at + 2) & 0xff) << 16;
    }

    /** libzstd checks the declared content size once the last block is decoded. */
    private void decodeChecked(InputStream frame, FrameHeader header, boolean lastBlockDone) throws IOException {
        int before = out.size();
        out.readFrom(new ZstdInputStream(frame));
        if (lastBlockDone && header.contentSize() >= 0 && out.size() - before != header.contentSize()) {
            throw ZstdProblem.CORRUPT.failure();
        }
    }

    /**
     * A block inside the input: where its header starts, its type, the size its header gives
     * (for a cut raw block, what arrived) and how many payload bytes follow the header.
     */
    private record Block(int at, int type, int size, int payload) {
    }

    /** The parts of a frame header that matter here. */
    private record FrameHeader(int size, long contentSize, int windowDescriptor, boolean checksum, int blockSizeMax) {
        private static final int[] DICTIONARY_ID_SIZES = {0, 1, 2, 4};

        /** The header size, known from its first byte. */
        static int size(int descriptor) {
            boolean singleSegment = (descriptor & 0x20) != 0;
            return 1 + (singleSegment ? 0 : 1) + DICTIONARY_ID_SIZES[descriptor & 3]
                    + contentSizeBytes(descriptor);
        }

        private static int contentSizeBytes(int descriptor) {
            int flag = descriptor >>> 6;
            return flag == 0 ? (descriptor & 0x20) != 0 ? 1 : 0 : 1 << flag;
        }

        /**
         * Reads a complete header, failing where libzstd does as soon as it has one: a window
         * over {@code maxWindow} among others.
         */
        static FrameHeader read(ByteBuffer in, int at, long maxWindow) throws DecodeFailure {
            int descriptor = in.get(at) & 0xff;
            if ((descriptor & 0x08) != 0) {
                throw ZstdProblem.UNSUPPORTED_PARAMETER.failure();
            }
            boolean singleSegment = (descriptor & 0x20) != 0;
            int p = at + 1;
            int windowDescriptor = singleSegment ? -1 : in.get(p++) & 0xff;
            int dictionaryIdSize = DICTIONARY_ID_SIZES[descriptor & 3];
            if (little(in, p, dictionaryIdSize) != 0) {
                throw ZstdProblem.DICTIONARY.failure();
            }
            p += dictionaryIdSize;
            int contentSizeBytes = contentSizeBytes(descriptor);
            long contentSize = contentSizeBytes == 0 ? -1
                    : little(in, p, contentSizeBytes) + (contentSizeBytes == 2 ? 256 : 0);
            long window;
            if (singleSegment) {
                window = contentSize;
            } else {
                int log = MIN_WINDOW_LOG + (windowDescriptor >>> 3);
                if (log > MAX_WINDOW_LOG) {
                    throw ZstdProblem.WINDOW_TOO_LARGE.failure();
                }
                window = windowSize(windowDescriptor);
            }
            if (Long.compareUnsigned(window, maxWindow) > 0) {
                throw ZstdProblem.WINDOW_TOO_LARGE.failure();
            }
            if (singleSegment) {
                windowDescriptor = descriptorCovering(window);
            }
            return new FrameHeader(size(descriptor), contentSize, windowDescriptor, (descriptor & 0x04) != 0,
                    (int) Math.min(window, MAX_BLOCK));
        }

        private static long windowSize(int descriptor) {
            long base = 1L << (MIN_WINDOW_LOG + (descriptor >>> 3));
            return base + (base >>> 3) * (descriptor & 7);
        }

        /** The smallest window descriptor whose window holds {@code size} (at most MAX_WINDOW) bytes. */
        private static int descriptorCovering(long size) {
            int descriptor = 0;
            while (windowSize(descriptor) < size) {
                descriptor++;
            }
            return descriptor;
        }

        private static long little(ByteBuffer in, int at, int length) {
            long value = 0;
            for (int i = length - 1; i >= 0; i--) {
                value = value << 8 | (in.get(at + i) & 0xff);
            }
            return value;
        }
    }
}

package modtools.elf.module;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import modtools.elf.RangeLoader;

/**
 * A plain module file read into a {@link ReadBuffer} a range at a time, as the ELF reader asks
 * for it; each range is read once. Owns the file's channel until closed.
 */
final class PartialFile implements RangeLoader, AutoCloseable {
    private final String name;
    private final FileChannel channel;
    private final ByteBuffer target;
    private final long size;
    /** Ranges read so far, as start and end offsets in turn; few per module. */
    private long[] loaded = new long[16];
    private int ranges;

    PartialFile(String name, FileChannel channel, ByteBuffer target) {
        this.name = name;
        this.channel = channel;
        this.target = target;
        this.size = target.limit();
    }

    /** The buffer the file is read into: position 0, limit the file's size. */
    ByteBuffer buffer() {
        return target.duplicate();
    }

    @Override
    public void load(long offset, long length) {
        if (length <= 0) {
            return;
        }
        long start = Math.max(0, offset);
        long end = offset > size - length ? size : offset + length;
        if (start >= end) {
            return;
        }
        for (int i = 0; i < ranges; i += 2) {
            if (loaded[i] <= start && end <= loaded[i + 1]) {
                return;
            }
        }
        read(start, end);
        if (ranges == loaded.length) {
            loaded = Arrays.copyOf(loaded, ranges * 2);
        }
        loaded[ranges++] = start;
        loaded[ranges++] = end;
    }

    private void read(long start, long end) {
        ByteBuffer into = target.duplicate().limit((int) end).position((int) start);
        try {
            while (into.hasRemaining()) {
                if (channel.read(into, into.position()) < 0) {
                    throw new EOFException(name + ": the file ended at " + into.position() + " bytes, while being read");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Only read from: a failed close loses nothing the reader has not already seen.
        }
    }
}

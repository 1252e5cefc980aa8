package modtools.modfs.fs;

import java.nio.ByteBuffer;
import java.util.Arrays;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.Outcome;

/** A module directory's {@code info}: user space's bytes, stored and never read by modfs. */
final class InfoFile extends Node {
    /** Exports, dependencies and parameters of the largest modules fit many times over. */
    static final long MAX_SIZE = 16L << 20;
    private byte[] bytes = new byte[0];

    InfoFile(long id) {
        super(id);
    }

    long size() {
        return bytes.length;
    }

    byte[] read(long offset, int size) {
        if (offset < 0 || offset >= bytes.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(bytes.length, offset + size));
    }

    Outcome<Integer> write(long offset, ByteBuffer data) {
        int n = data.remaining();
        if (offset < 0 || offset > MAX_SIZE - n) {
            return Outcome.failed(Errno.EFBIG, "info is limited to " + MAX_SIZE + " bytes");
        }
        if (offset + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) (offset + n));
        }
        data.get(bytes, (int) offset, n);
        return Outcome.done(n);
    }

    Outcome<Void> truncate(long size) {
        if (size > MAX_SIZE) {
            return Outcome.failed(Errno.EFBIG, "info is limited to " + MAX_SIZE + " bytes");
        }
        bytes = Arrays.copyOf(bytes, (int) size);
        return Outcome.done(null);
    }
}

package modtools.modfs.fuse;

import java.nio.ByteBuffer;

/**
 * Where a {@link FuseSession} reads requests and writes replies: /dev/fuse in the host
 * ({@link FuseDevice}), bytes of a test's choosing in the fuzz target of the decoder.
 */
public interface FuseChannel {
    /** One request into {@code buffer}; its length, or -errno (ENODEV once the filesystem is unmounted). */
    long read(ByteBuffer buffer);

    /** The first {@code length} bytes of {@code buffer} as one reply. */
    void write(ByteBuffer buffer, int length);
}

package modtools.elf.module;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A compressed module file being decoded: its name for messages, its mapping (where decoders
 * look at headers and the xz index, a few pages) and its open channel (from which the C
 * decoders read the data in chunks).
 */
record CompressedFile(String name, ByteBuffer mapped, FileChannel channel) {
    int size() {
        return mapped.remaining();
    }

    FileChunks chunks() {
        return new FileChunks(channel, mapped.remaining());
    }
}

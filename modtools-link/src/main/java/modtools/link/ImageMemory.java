package modtools.link;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the linker builds an image: zero-filled memory of the size the layout asks for. The
 * heap for a loader that hands the bytes on; an {@link ImageFile} for an image that is only
 * written out.
 */
public interface ImageMemory {
    ByteBuffer allocate(int size) throws IOException;

    ImageMemory HEAP = new ImageMemory() {
        @Override
        public ByteBuffer allocate(int size) {
            return ByteBuffer.allocate(size);
        }
    };
}

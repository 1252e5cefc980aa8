package modtools.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An image built in place in its file: the file, created or emptied, is extended to the
 * image's size and mapped. Against linking on the heap and writing the array out, this spares
 * zeroing the array, the copy write(2) makes of it and the copy into the page cache.
 */
public final class ImageFile implements ImageMemory {
    private final Path file;
    private boolean touched;

    public ImageFile(Path file) {
        this.file = file;
    }

    @Override
    public ByteBuffer allocate(int size) throws IOException {
        touched = true;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size); // extends the file to the size
        }
    }

    /** After a failed link: removes the file if it was emptied for the image, so no half-written image is left. */
    public void discard() throws IOException {
        if (touched) {
            Files.deleteIfExists(file);
        }
    }
}

package modtools.link;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An image bound for a file. A regular file (or one not there yet) is created or emptied,
 * extended to the image's size and mapped, and the image is built in place: against linking on
 * the heap and writing the array out, this spares zeroing the array, the copy write(2) makes
 * of it and the copy into the page cache. A pipe or a device cannot be mapped: the image is
 * built on the heap and {@link #finish} writes it there.
 */
public final class ImageFile implements ImageMemory {
    private final Path file;
    private boolean emptied;
    private ByteBuffer unmapped;

    public ImageFile(Path file) {
        this.file = file;
    }

    @Override
    public ByteBuffer allocate(int size) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            unmapped = ByteBuffer.allocate(size);
            return unmapped;
        }
        emptied = true;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size); // extends the file to the size
        }
    }

    /** After a successful link: writes an image built on the heap to its pipe or device; nothing for a mapped file. */
    public void finish() throws IOException {
        if (unmapped != null) {
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(unmapped.array(), 0, unmapped.capacity());
            }
        }
    }

    /** After a failed link: removes the file if it was emptied for the image, so no half-written image is left. */
    public void discard() throws IOException {
        if (emptied) {
            Files.deleteIfExists(file);
        }
    }
}

package modtools.elf.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A file mapped read-only with mmap(2) and unmapped by {@link #close}, not by the garbage
 * collector. A mapping from FileChannel.map lives until a collection finds its buffer
 * unreachable, so a reader of thousands of files holds their touched pages in its resident
 * set until then (depmod's peak RSS went from 76 to over 400 MiB that way). The buffer must
 * not be used after close: the memory behind it is gone.
 */
public final class FileMapping implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int SEEK_END = 2;
    private static final int PROT_READ = 1;
    private static final int MAP_PRIVATE = 2;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final Charset NATIVE = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    static {
        JnaBoot.prepare();
        // The process's own symbols, libc's among them: naming "c" would make JNA search for it.
        Native.register(FileMapping.class, NativeLibrary.getProcess());
    }

    private final Pointer address;
    private final long size;
    private final ByteBuffer buffer;
    private boolean closed;

    private FileMapping(Pointer address, long size) {
        this.address = address;
        this.size = size;
        this.buffer = (size == 0 ? ByteBuffer.allocate(0) : address.getByteBuffer(0, size)).asReadOnlyBuffer();
    }

    private static native int open(byte[] path, int flags) throws LastErrorException;

    private static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    private static native Pointer mmap(Pointer address, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    private static native int munmap(Pointer address, long length);

    private static native int close(int fd);

    /**
     * Maps the whole of {@code path} once {@code check} has accepted its size; a file too
     * large for one buffer (2 GiB) is refused in any case.
     */
    public static FileMapping of(Path path, SizeCheck check) throws IOException {
        byte[] name = path.toString().getBytes(NATIVE);
        int fd;
        try {
            fd = open(Arrays.copyOf(name, name.length + 1), O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw failure(path, e.getErrorCode());
        }
        try {
            long size = lseek(fd, 0, SEEK_END);
            check.check(size);
            if (size > Integer.MAX_VALUE) {
                throw new FileSystemException(path.toString(), null, "File too large");
            }
            return new FileMapping(size == 0 ? null : mmap(null, size, PROT_READ, MAP_PRIVATE, fd, 0), size);
        } catch (LastErrorException e) {
            throw failure(path, e.getErrorCode());
        } finally {
            close(fd);
        }
    }

    /** Refuses a file by its size, before it is mapped. */
    public interface SizeCheck {
        void check(long size) throws IOException;
    }

    /** The exceptions the JDK's own file operations throw, so callers tell the errors apart alike. */
    private static IOException failure(Path path, int errno) {
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(path.toString());
            case EACCES -> new AccessDeniedException(path.toString());
            default -> new FileSystemException(path.toString(), null, "errno " + errno);
        };
    }

    /** The file's bytes, read-only, valid until {@link #close}. */
    public ByteBuffer buffer() {
        return buffer;
    }

    @Override
    public void close() {
        if (!closed && size > 0) {
            munmap(address, size);
        }
        closed = true;
    }
}

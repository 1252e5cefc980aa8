package modtools.elf.module;

import com.sun.jna.Memory;
import java.nio.ByteBuffer;

/**
 * Memory a reader of many modules reuses for each plain module it reads piece by piece
 * ({@link ModuleFile#image}), grown to the largest module read so far and freed by
 * {@link #close}. It is not cleared between modules: the ELF reader reads only what it loaded
 * for the module at hand. Used by one thread at a time.
 */
public final class ReadBuffer implements AutoCloseable {
    /** Smaller modules share the first allocation; most are well under this. */
    private static final long MINIMUM = 1 << 20;

    private Memory memory;

    /** The buffer for a file of {@code size} bytes: position 0, limit {@code size}. */
    ByteBuffer forFile(long size) {
        if (memory == null || memory.size() < size) {
            close();
            memory = new Memory(Math.max(size, MINIMUM));
        }
        return memory.getByteBuffer(0, size);
    }

    @Override
    public void close() {
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}

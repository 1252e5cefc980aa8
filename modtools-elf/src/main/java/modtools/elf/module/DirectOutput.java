package modtools.elf.module;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Where a C decoder writes a module: a direct buffer, so the library writes straight into the
 * memory the ELF reader then reads. Sized from the stream's own record of the decompressed size
 * when there is one (and then filled exactly once); else from a guess, doubled when full, up to
 * a limit.
 */
final class DirectOutput {
    private final String file;
    private final int limit;
    private final DecodedMemory memory;
    private ByteBuffer buffer;
    private Memory block;

    /**
     * {@code expected}: the size the stream declares plus one spare byte, or a guess;
     * {@code memory}: who frees what is allocated.
     */
    DirectOutput(String file, long expected, int limit, DecodedMemory memory) {
        this.file = file;
        this.limit = limit;
        this.memory = memory;
        allocate((int) Math.min(expected, limit));
    }

    int capacity() {
        return buffer.capacity();
    }

    Pointer at(long offset) {
        return block.share(offset);
    }

    /** Twice the room, the first {@code used} bytes kept; past the limit the module is refused. */
    void grow(int used) throws ModuleLoadException {
        if (buffer.capacity() >= limit) {
            throw ModuleLoadException.tooLarge(file, limit);
        }
        ByteBuffer old = buffer;
        Memory oldBlock = block;
        allocate((int) Math.min(limit, Math.max(4096, old.capacity() * 2L)));
        buffer.put(old.duplicate().position(0).limit(used)).clear();
        memory.release(oldBlock);
    }

    /** The first {@code size} bytes, the decoded module. */
    ByteBuffer result(int size) {
        return buffer.duplicate().position(0).limit(size).slice();
    }

    private void allocate(int capacity) {
        block = memory.allocate(Math.max(1, capacity));
        buffer = block.getByteBuffer(0, capacity);
    }
}

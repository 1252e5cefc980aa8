package modtools.elf.module;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.List;

/**
 * The native memory the C decoders write a module into. A caller that never closes what it
 * opened (one modinfo) leaves it to the garbage collector; a {@link ModuleImage} owns its
 * memory and frees it when closed, so that a reader of a whole tree never holds more than the
 * images it is working on (a collection may come long after thousands of them).
 */
final class DecodedMemory implements AutoCloseable {
    /** Blocks no one frees but the garbage collector (through JNA's cleaner). */
    static final DecodedMemory COLLECTED = new DecodedMemory(false);

    private final boolean owned;
    private final List<Memory> blocks = new ArrayList<>(1);

    private DecodedMemory(boolean owned) {
        this.owned = owned;
    }

    /** Memory for one image, freed by {@link #close}; used by one thread at a time. */
    static DecodedMemory owned() {
        return new DecodedMemory(true);
    }

    Memory allocate(long size) {
        Memory block = new Memory(size);
        if (owned) {
            blocks.add(block);
        }
        return block;
    }

    /** A block outgrown and copied from: freed at once, whoever owns it. */
    void release(Memory block) {
        if (owned) {
            blocks.remove(block);
        }
        block.close();
    }

    @Override
    public void close() {
        for (Memory block : blocks) {
            block.close();
        }
        blocks.clear();
    }
}

package modtools.elf.module;

import java.nio.ByteBuffer;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.RangeLoader;
import modtools.elf.jna.FileMapping;

/**
 * A module's bytes for as long as the caller needs them: a mapping of a plain file, unmapped by
 * {@link #close} (or, when it came from FileChannel.map, by the collector); a plain file read
 * piece by piece into its reader's {@link ReadBuffer}, closed by {@link #close}; or a
 * decompressed image, freed (native memory) or given up (a Java decoder's heap array) by
 * {@link #close}. A reader of a whole tree closes each module once it has copied
 * out what it needs, so that neither mappings nor images pile up until a garbage collection.
 * Nothing read from the buffer may be kept past close: the memory behind it is gone.
 */
public final class ModuleImage implements AutoCloseable {
    private final String file;
    private final FileMapping mapping;
    private final DecodedMemory memory;
    private final PartialFile partial;
    private ByteBuffer bytes;

    private ModuleImage(String file, ByteBuffer bytes, FileMapping mapping, DecodedMemory memory, PartialFile partial) {
        this.file = file;
        this.bytes = bytes;
        this.mapping = mapping;
        this.memory = memory;
        this.partial = partial;
    }

    static ModuleImage mapped(String file, ByteBuffer bytes, FileMapping mapping) {
        return new ModuleImage(file, bytes, mapping, null, null);
    }

    static ModuleImage decoded(String file, ByteBuffer bytes, DecodedMemory memory) {
        return new ModuleImage(file, bytes, null, memory, null);
    }

    static ModuleImage partial(String file, PartialFile partial) {
        return new ModuleImage(file, partial.buffer(), null, null, partial);
    }

    /** The module as an ELF object, valid until {@link #close}. */
    public ElfFile elf() throws ElfFormatException {
        return ElfFile.parse(file, buffer(), partial != null ? partial : RangeLoader.RESIDENT);
    }

    /** The module's bytes (decompressed), all of them, valid until {@link #close}. */
    public ByteBuffer bytes() {
        ByteBuffer all = buffer();
        if (partial != null) {
            partial.load(0, all.limit());
        }
        return all;
    }

    private ByteBuffer buffer() {
        if (bytes == null) {
            throw new IllegalStateException(file + " was closed");
        }
        return bytes.duplicate();
    }

    @Override
    public void close() {
        bytes = null;
        if (mapping != null) {
            mapping.close();
        }
        if (memory != null) {
            memory.close();
        }
        if (partial != null) {
            partial.close();
        }
    }
}

package modtools.elf.module;

import java.nio.ByteBuffer;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.jna.FileMapping;

/**
 * A module's bytes for as long as the caller needs them: a mapping of a plain file, unmapped by
 * {@link #close} (or, when it came from FileChannel.map, by the collector), or a decompressed image, freed (native memory) or given up (a Java decoder's
 * heap array) by {@link #close}. A reader of a whole tree closes each module once it has copied
 * out what it needs, so that neither mappings nor images pile up until a garbage collection.
 * Nothing read from the buffer may be kept past close: the memory behind it is gone.
 */
public final class ModuleImage implements AutoCloseable {
    private final String file;
    private final FileMapping mapping;
    private final DecodedMemory memory;
    private ByteBuffer bytes;

    private ModuleImage(String file, ByteBuffer bytes, FileMapping mapping, DecodedMemory memory) {
        this.file = file;
        this.bytes = bytes;
        this.mapping = mapping;
        this.memory = memory;
    }

    static ModuleImage mapped(String file, ByteBuffer bytes, FileMapping mapping) {
        return new ModuleImage(file, bytes, mapping, null);
    }

    static ModuleImage decoded(String file, ByteBuffer bytes, DecodedMemory memory) {
        return new ModuleImage(file, bytes, null, memory);
    }

    /** The module as an ELF object, valid until {@link #close}. */
    public ElfFile elf() throws ElfFormatException {
        return ElfFile.parse(file, bytes());
    }

    /** The module's bytes (decompressed), valid until {@link #close}. */
    public ByteBuffer bytes() {
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
    }
}

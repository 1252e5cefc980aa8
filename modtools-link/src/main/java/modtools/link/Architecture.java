package modtools.link;

import java.nio.ByteBuffer;
import modtools.elf.Elf;
import modtools.link.x86_64.X86_64;

/**
 * What the linker needs to know of a machine: what each relocation type means, how its field
 * is written, and what a veneer and a GOT entry look like. One implementation per machine, each
 * in one file with one switch over its relocation types.
 */
public interface Architecture {
    /** The architecture for ELF's e_machine, or null. */
    static Architecture of(int machine) {
        return machine == Elf.EM_X86_64 ? X86_64.INSTANCE : null;
    }

    /** The meaning and field of {@code type}, or null when this architecture does not apply it. */
    Howto howto(int type);

    /** The psABI's name of a type, for messages. */
    String typeName(int type);

    /** Bytes of one GOT entry (one address). */
    int gotEntrySize();

    int veneerSize();

    int veneerAlignment();

    /** Writes the veneer at {@code image[at]}, placed at {@code address}, that jumps to {@code target}. */
    void writeVeneer(ByteBuffer image, int at, long address, long target);

    /** A type's meaning, and the field that takes its value. */
    record Howto(Meaning meaning, Field field) {}

    /** A field of an instruction or of data: writes a value after checking that it fits. */
    interface Field {
        /** Bytes the field covers at the relocation's offset. */
        int size();

        /**
         * Writes {@code value} at {@code image[at]}, the buffer in the object's byte order;
         * false, writing nothing, when it does not fit.
         */
        boolean write(ByteBuffer image, int at, long value);

        /** For messages: "32 bits (signed)". */
        String describe();
    }
}

package modtools.contract;

import java.util.Optional;

/**
 * What a write to a module directory's {@code control} asks for, one verb and one module file
 * of that directory in one write: {@code map module}.
 */
public enum ControlVerb {
    /** Reserve memory for the file at its size, copy its bytes in; the address shows in its status. */
    MAP,
    /** Release the memory; the file keeps its size. */
    UNMAP,
    /** Protect the image by its header and run its init; the write returns init's errno. */
    INIT,
    /** Run the exit of a live module and make its memory plain read/write memory again. */
    EXIT;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The command that applies this verb to {@code file}, as one write carries it. */
    public String command(String file) {
        return word() + " " + file;
    }

    public static Optional<ControlVerb> of(String word) {
        for (ControlVerb v : values()) {
            if (v.word().equals(word)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}

package modtools.contract;

import java.util.Optional;

/** Where a module file is in its life, as the first line of its status names it. */
public enum ModuleState {
    /** Bytes only, held by the host until {@code map}. */
    UNMAPPED,
    /** Memory reserved below 2 GiB; writes land in it. */
    MAPPED,
    /** init is running on the module's thread. */
    INITIALIZING,
    /** init returned 0; the image is the module's own. */
    LIVE,
    /** exit is running on the module's thread. */
    GOING,
    /** init returned an error; only {@code unmap} is left. */
    FAILED;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The state a status names, or empty for a word that is none. */
    public static Optional<ModuleState> of(String word) {
        for (ModuleState s : values()) {
            if (s.word().equals(word)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}

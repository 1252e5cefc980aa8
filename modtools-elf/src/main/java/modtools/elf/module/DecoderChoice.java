package modtools.elf.module;

import java.util.Locale;

/**
 * Which decoders read compressed modules: the system's liblzma and libzstd (the libraries kmod
 * uses) through JNA, or the pure-Java ones (org.tukaani:xz, aircompressor), which also stand in
 * for a library that cannot be loaded. Set by {@code -Dmodtools.decoders=} or, failing that,
 * {@code MODTOOLS_DECODERS=}: {@code native} or {@code java} for every file (the tests compare
 * the two), else AUTO. gzip is always java.util.zip's (zlib).
 */
public enum DecoderChoice {
    /**
     * The libraries for a large file, or once they are loaded; the Java decoders for a small
     * file in a process that has not loaded them, since starting JNA costs more than they save
     * there. A file the Java decoder refuses goes to the library, which reads more (zstd
     * windows over 8 MiB, every xz check type).
     */
    AUTO,
    NATIVE,
    JAVA;

    public static final String PROPERTY = "modtools.decoders";
    public static final String VARIABLE = "MODTOOLS_DECODERS";

    /** The choice the property, else the environment, names; AUTO when neither does. */
    public static DecoderChoice configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            value = System.getenv(VARIABLE);
        }
        return switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
            case "native" -> NATIVE;
            case "java" -> JAVA;
            default -> AUTO;
        };
    }
}

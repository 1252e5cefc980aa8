package modtools.elf.module;

import java.util.Locale;

/**
 * Which decoders read compressed modules. By default the system's liblzma and libzstd, the
 * libraries kmod itself uses, through JNA; the pure-Java decoders (org.tukaani:xz, aircompressor)
 * take over for a format whose library cannot be loaded. {@code -Dmodtools.decoders=java} or
 * {@code MODTOOLS_DECODERS=java} makes every format use the Java decoders (the tests compare the
 * two); {@code native}, the default, prefers the libraries. gzip is always java.util.zip's (zlib).
 */
public enum DecoderChoice {
    NATIVE,
    JAVA;

    public static final String PROPERTY = "modtools.decoders";
    public static final String VARIABLE = "MODTOOLS_DECODERS";

    /** The choice the property, else the environment, names; NATIVE when neither says. */
    public static DecoderChoice configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            value = System.getenv(VARIABLE);
        }
        return value != null && value.toLowerCase(Locale.ROOT).equals("java") ? JAVA : NATIVE;
    }
}

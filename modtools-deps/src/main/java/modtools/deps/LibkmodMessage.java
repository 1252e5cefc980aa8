package modtools.deps;

import java.util.Optional;
import modtools.elf.module.DecoderError;

/**
 * A message libkmod logs. Debian builds kmod 30 with debugging on, so there every libkmod
 * message carries the C source location it came from ("../libkmod/libkmod-config.c:712
 * kmod_config_parse"); users and scripts see that text, so it travels with the message (the
 * level decides whether it is shown: {@link KmodLevel#libkmodSourceLocations}).
 * {@code text} has no trailing newline.
 */
public record LibkmodMessage(int priority, String file, int line, String function, String text) {
    /** syslog's LOG_ERR, the priority of every message we reproduce. */
    public static final int ERR = 3;

    public static LibkmodMessage error(String file, int line, String function, String text) {
        return new LibkmodMessage(ERR, "../libkmod/" + file, line, function, text);
    }

    /**
     * What libkmod's decoder logs for a stream it rejects (kmod 34.2's xz and zstd; Debian's
     * kmod is built without zlib, so gzip has no words of its own).
     */
    public static Optional<LibkmodMessage> of(DecoderError e) {
        return switch (e.format()) {
            case XZ -> Optional.of(error("libkmod-file-xz.c", 58, "xz_uncompress_belch", e.words()));
            case ZSTD -> Optional.of(error("libkmod-file-zstd.c", 102, "kmod_file_load_zstd", e.words()));
            case GZIP, NONE -> Optional.empty();
        };
    }
}

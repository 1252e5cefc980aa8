package modtools.elf.module;

import java.io.IOException;
import java.util.Optional;

/**
 * A module file that cannot be brought into memory: too short to hold a magic, a damaged or
 * truncated compressed stream, or contents beyond our size limit. kmod fails all of these
 * with EINVAL ("Invalid argument"), while a file that loads but is no valid ELF object fails
 * with ENOEXEC; keeping the two exception types apart lets a command tell which.
 */
public final class ModuleLoadException extends IOException {
    private final String file;
    private final String problem;
    private final DecoderError decoderError;

    public ModuleLoadException(String file, String problem) {
        super(file + ": " + problem, null);
        this.file = file;
        this.problem = problem;
        this.decoderError = null;
    }

    /** A stream a decoder rejected. */
    ModuleLoadException(DecoderError error) {
        super(error.file() + ": " + error.words(), null);
        this.file = error.file();
        this.problem = error.words();
        this.decoderError = error;
    }

    /** Output past the size we decode a module to, {@code limit}. */
    static ModuleLoadException tooLarge(String file, int limit) {
        return new ModuleLoadException(file, "decompresses to more than " + limit + " bytes");
    }

    /** What the decoder said, when the file failed in one rather than before any decoding. */
    public Optional<DecoderError> decoderError() {
        return Optional.ofNullable(decoderError);
    }

    public String file() { return file; }

    public String problem() { return problem; }
}

package modtools.elf.module;

import java.io.IOException;

/**
 * A module file that cannot be brought into memory: too short to hold a magic, a damaged or
 * truncated compressed stream, or contents beyond our size limit. kmod fails all of these
 * with EINVAL ("Invalid argument"), while a file that loads but is no valid ELF object fails
 * with ENOEXEC; keeping the two exception types apart lets a command tell which.
 */
public final class ModuleLoadException extends IOException {
    private final String file;
    private final String problem;
    private final Compression decoder;

    public ModuleLoadException(String file, String problem) {
        this(file, problem, Compression.NONE);
    }

    /** A stream {@code decoder} rejected; {@code problem} is the line kmod's decoder logs for it. */
    ModuleLoadException(String file, String problem, Compression decoder) {
        super(file + ": " + problem, null);
        this.file = file;
        this.problem = problem;
        this.decoder = decoder;
    }

    /** The decoder that failed, or NONE when the file failed before any decoding. */
    public Compression decoder() {
        return decoder;
    }

    public String file() { return file; }

    public String problem() { return problem; }
}

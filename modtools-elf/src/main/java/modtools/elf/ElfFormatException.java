package modtools.elf;

/**
 * A structural problem in an object file: which file, which structure, at which offset.
 * The message is the one line a command prints; the fields let callers and tests
 * tell problems apart without parsing it.
 */
public final class ElfFormatException extends Exception {
    private final String file;
    private final String structure;
    private final long offset;
    private final String problem;

    public ElfFormatException(String file, String structure, long offset, String problem) {
        super(file + ": " + structure + " at offset 0x" + Long.toHexString(offset) + ": " + problem, null, false, false);
        this.file = file;
        this.structure = structure;
        this.offset = offset;
        this.problem = problem;
    }

    public String file() { return file; }

    public String structure() { return structure; }

    public long offset() { return offset; }

    public String problem() { return problem; }
}

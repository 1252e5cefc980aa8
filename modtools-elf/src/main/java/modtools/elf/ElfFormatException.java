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
    private final boolean notElf;

    public ElfFormatException(String file, String structure, long offset, String problem) {
        this(file, structure, offset, problem, false);
    }

    private ElfFormatException(String file, String structure, long offset, String problem, boolean notElf) {
        super(file + ": " + structure + " at offset 0x" + Long.toHexString(offset) + ": " + problem, null, false, false);
        this.file = file;
        this.structure = structure;
        this.offset = offset;
        this.problem = problem;
        this.notElf = notElf;
    }

    /** The bytes do not even start like an ELF object (the kernel and kmod say ENOEXEC, not EINVAL). */
    public static ElfFormatException notElf(String file, String problem) {
        return new ElfFormatException(file, "ELF identification", 0, problem, true);
    }

    public boolean isNotElf() { return notElf; }

    public String file() { return file; }

    public String structure() { return structure; }

    public long offset() { return offset; }

    public String problem() { return problem; }
}

package modtools.deps.index;

/**
 * A structural problem in a kmod binary index ({@code modules.*.bin}): which file, at which
 * offset, and what is wrong. The message is one line: {@code FILE: offset 0xN: PROBLEM}.
 */
public final class IndexFormatException extends Exception {
    private final String file;
    private final long offset;
    private final String problem;

    public IndexFormatException(String file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    public IndexFormatException(String file, long offset, String problem, Throwable cause) {
        super(file + ": offset 0x" + Long.toHexString(offset) + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    public String file() { return file; }

    public long offset() { return offset; }

    public String problem() { return problem; }
}

package modtools.modfs.host;

/**
 * A signal raised by module code, as the handler saw it: the signal, its {@code si_code}, the
 * faulting address ({@code si_addr}), the instruction pointer and the page-fault error code
 * (x86's {@code REG_ERR}: bit 1 a write, bit 4 an instruction fetch).
 */
public record Fault(int signal, int code, long address, long pc, long error) {
    public static final int SIGILL = 4;
    public static final int SIGBUS = 7;
    public static final int SIGFPE = 8;
    public static final int SIGSEGV = 11;

    public String signalName() {
        return switch (signal) {
            case SIGILL -> "SIGILL";
            case SIGBUS -> "SIGBUS";
            case SIGFPE -> "SIGFPE";
            case SIGSEGV -> "SIGSEGV";
            default -> "signal " + signal;
        };
    }
}

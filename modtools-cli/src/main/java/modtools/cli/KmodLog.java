package modtools.cli;

import java.io.PrintStream;

/**
 * kmod's tool logging: "prog: FATAL|ERROR|WARNING|NOTICE|INFO|DEBUG: message" on stderr,
 * shown up to a priority that -v raises (warnings by default).
 */
public final class KmodLog {
    public static final int CRIT = 2;
    public static final int ERR = 3;
    public static final int WARNING = 4;
    public static final int NOTICE = 5;
    public static final int INFO = 6;
    public static final int DEBUG = 7;

    private final PrintStream err;
    private final String program;
    private final int priority;

    public KmodLog(PrintStream err, String program, int priority) {
        this.err = err;
        this.program = program;
        this.priority = priority;
    }

    public int priority() {
        return priority;
    }

    public void log(int prio, String message) {
        if (prio > priority) {
            return;
        }
        String name = switch (prio) {
            case CRIT -> "FATAL";
            case ERR -> "ERROR";
            case WARNING -> "WARNING";
            case NOTICE -> "NOTICE";
            case INFO -> "INFO";
            case DEBUG -> "DEBUG";
            default -> String.format("LOG-%03d", prio);
        };
        err.print(program + ": " + name + ": " + message + "\n");
    }
}

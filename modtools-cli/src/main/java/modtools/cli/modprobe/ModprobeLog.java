package modtools.cli.modprobe;

import java.io.PrintStream;
import modtools.cli.KmodLog;
import modtools.deps.LibkmodMessage;

/**
 * modprobe's two voices on stderr. Its own messages ("modprobe: ERROR: ...") show up to the
 * verbosity, and a FATAL one ends the program, as kmod's log_printf exits; libkmod's
 * messages carry their C source location, printed by libkmod itself while the
 * configuration is read, and by modprobe's handler afterwards.
 */
final class ModprobeLog {
    private final PrintStream err;
    private final String program;
    private final int verbosity;
    private final KmodLog tool;

    ModprobeLog(PrintStream err, String program, int verbosity) {
        this.err = err;
        this.program = program;
        this.verbosity = verbosity;
        this.tool = new KmodLog(err, program, verbosity);
    }

    /** Thrown after a FATAL message: modprobe exits with failure at once. */
    static final class Exit extends RuntimeException {
        Exit() {
            super(null, null, false, false);
        }
    }

    void error(String message) {
        log(KmodLog.ERR, message);
    }

    /** kmod's LOG(): at the given priority; FATAL (when shown) ends the run. */
    void log(int priority, String message) {
        if (priority > verbosity) {
            return;
        }
        tool.log(priority, message);
        if (priority <= KmodLog.CRIT) {
            throw new Exit();
        }
    }

    /** A libkmod message while the configuration is read: libkmod's own format, errors only. */
    void early(LibkmodMessage m) {
        if (m.priority() <= LibkmodMessage.ERR) {
            err.print("libkmod: " + name(m.priority(), "CRITICAL") + " " + m.file() + ":" + m.line() + " "
                    + m.function() + ": " + m.text() + "\n");
        }
    }

    /** A libkmod message once modprobe has taken over logging: its format, its verbosity. */
    void library(LibkmodMessage m) {
        if (m.priority() <= verbosity) {
            err.print(program + ": " + name(m.priority(), "FATAL") + ": " + m.file() + ":" + m.line() + " "
                    + m.function() + "() " + m.text() + "\n");
        }
    }

    private static String name(int priority, String critical) {
        return switch (priority) {
            case KmodLog.CRIT -> critical;
            case KmodLog.ERR -> "ERROR";
            case KmodLog.WARNING -> "WARNING";
            case KmodLog.NOTICE -> "NOTICE";
            case KmodLog.INFO -> "INFO";
            default -> "DEBUG";
        };
    }
}

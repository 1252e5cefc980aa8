package modtools.cli.modprobe;

import java.io.PrintStream;
import modtools.cli.KmodLog;
import modtools.cli.Syslog;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;

/**
 * modprobe's two voices. Its own messages ("modprobe: ERROR: ...") show up to the
 * verbosity, on stderr or (-s) in the system log, and a FATAL one ends the program, as
 * kmod's log_printf exits. libkmod's messages carry their C source location where the level's
 * kmod was built with debugging (Debian's kmod 30); while the configuration is read libkmod
 * prints them itself, always on stderr, afterwards they go through modprobe's handler like
 * its own. rmmod logs through the same code in kmod
 * (tools/log.c), and so through this class here.
 */
public final class ModprobeLog {
    private final boolean sourceLocations;
    private final PrintStream err;
    private final String program;
    private final int verbosity;
    private final boolean syslog;

    public ModprobeLog(KmodLevel level, PrintStream err, String program, int verbosity, boolean syslog) {
        this.sourceLocations = level.libkmodSourceLocations();
        this.err = err;
        this.program = program;
        this.verbosity = verbosity;
        this.syslog = syslog;
    }

    /** Thrown after a FATAL message: modprobe exits with failure at once. */
    static final class Exit extends RuntimeException {
        Exit() {
            super(null, null, false, false);
        }
    }

    public void error(String message) {
        log(KmodLog.ERR, message);
    }

    /**
     * An error whose format in kmod has no line end, so the record or the stderr line stays
     * open (kmod 30's rmmod finishes it on stderr itself).
     */
    public void errorUnended(String message) {
        log(KmodLog.ERR, message, "");
    }

    /** kmod's LOG(): at the given priority; FATAL (when shown) ends the run. */
    public void log(int priority, String message) {
        log(priority, message, "\n");
    }

    private void log(int priority, String message, String end) {
        if (priority > verbosity) {
            return;
        }
        emit(priority, name(priority, "FATAL") + ": " + message, end);
        if (priority <= KmodLog.CRIT) {
            throw new Exit();
        }
    }

    /** A libkmod message while the configuration is read: libkmod's own format, errors only. */
    public void early(LibkmodMessage m) {
        if (m.priority() <= LibkmodMessage.ERR) {
            String where = sourceLocations ? " " + m.file() + ":" + m.line() + " " : ": ";
            err.print("libkmod: " + name(m.priority(), "CRITICAL") + where + m.function() + ": " + m.text() + "\n");
        }
    }

    /** A libkmod message once modprobe has taken over logging: its format, its verbosity. */
    public void library(LibkmodMessage m) {
        if (m.priority() <= verbosity) {
            String where = sourceLocations ? m.file() + ":" + m.line() + " " + m.function() + "() " : "";
            emit(m.priority(), name(m.priority(), "FATAL") + ": " + where + m.text(), "\n");
        }
    }

    private void emit(int priority, String text, String end) {
        if (syslog) {
            // the facility and ident are openlog's (Syslog); the line's end is part of kmod's message
            Syslog.log(program, priority, text + end);
        } else {
            err.print(program + ": " + text + end);
        }
    }

    private static String name(int priority, String critical) {
        return switch (priority) {
            case KmodLog.CRIT -> critical;
            case KmodLog.ERR -> "ERROR";
            case KmodLog.WARNING -> "WARNING";
            case KmodLog.NOTICE -> "NOTICE";
            case KmodLog.INFO -> "INFO";
            case KmodLog.DEBUG -> "DEBUG";
            default -> String.format("LOG-%03d", priority);
        };
    }
}

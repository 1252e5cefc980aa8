package modtools.cli;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import modtools.elf.jna.JnaBoot;

/**
 * The system log as kmod's tools write to it: openlog(program, LOG_CONS, LOG_DAEMON), then
 * syslog(3) at the message's priority. Going through the C library rather than writing to
 * /dev/log ourselves keeps every detail of the records its own — the header ({@code <PRI>},
 * the local time, the ident, no pid), the retry over a stream socket, the console when no log
 * is listening — so they match kmod's on any system. openlog's ident belongs to the process,
 * so the calls of a resident server's threads, each with its own program name, take turns.
 */
public final class Syslog {
    private static final int LOG_CONS = 0x02;
    private static final int LOG_DAEMON = 3 << 3;

    /** The C library's log functions; syslog(3) takes its arguments as C varargs. */
    private interface LibC extends Library {
        void openlog(Pointer ident, int option, int facility);

        void syslog(int priority, String format, Object... args);

        void closelog();
    }

    private static LibC libc;
    private static boolean unavailable;

    private Syslog() {}

    /**
     * One record from {@code program} at {@code priority} (LOG_ERR and the like; the facility
     * is kmod's, the daemon's), its bytes those of {@code message}'s chars. Like syslog(3), it
     * never fails its caller: without the C library the record is lost.
     */
    public static synchronized void log(String program, int priority, String message) {
        LibC c = libc();
        if (c == null) {
            return;
        }
        // openlog keeps the pointer, not the text: the ident must live until closelog
        try (Memory ident = cString(program); Memory text = cString(message)) {
            c.openlog(ident, LOG_CONS, LOG_DAEMON);
            c.syslog(priority, "%s", text);
            c.closelog();
        }
    }

    private static LibC libc() {
        if (libc == null && !unavailable) {
            try {
                JnaBoot.prepare();
                libc = Native.load("c", LibC.class);
            } catch (LinkageError e) {
                unavailable = true;
            }
        }
        return libc;
    }

    private static Memory cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Memory memory = new Memory(bytes.length + 1L);
        memory.write(0, bytes, 0, bytes.length);
        memory.setByte(bytes.length, (byte) 0);
        return memory;
    }
}

package modtools.deps;

import java.util.ArrayList;
import java.util.List;

/**
 * kmod's freadline_wrapped(): a backslash joins the next physical line, a backslash before
 * any other byte is dropped and the byte kept (before the end of the file kmod 30 yields the
 * byte 0xFF, C's EOF stored in a char, and kmod 34 nothing), and a line is numbered by its last
 * physical line. A line is a C string, so it ends at its first NUL. modprobe.d and depmod.d
 * files are both read so.
 */
public final class LogicalLines {
    public record Line(String text, int number) {}

    private static final int EOF = -1;

    private LogicalLines() {}

    /** The lines as kmod 30 reads them. */
    public static List<Line> of(byte[] bytes) {
        return of(bytes, KmodLevel.KMOD30);
    }

    public static List<Line> of(byte[] bytes, KmodLevel level) {
        boolean eofByte = level.readsBackslashAtEndAsByte();
        List<Line> lines = new ArrayList<>();
        int at = 0;
        int number = 0;
        StringBuilder buf = new StringBuilder();
        int joined = 0;
        while (true) {
            int ch = at < bytes.length ? bytes[at++] & 0xff : EOF;
            if (ch == EOF && buf.length() == 0) {
                return lines;
            }
            if (ch == EOF || ch == '\n') {
                number += joined + 1;
                lines.add(new Line(cString(buf), number));
                buf.setLength(0);
                joined = 0;
                continue;
            }
            if (ch == '\\') {
                int next = at < bytes.length ? bytes[at++] & 0xff : EOF;
                if (next == '\n') {
                    joined++;
                    continue;
                }
                if (next == EOF && !eofByte) {
                    continue;
                }
                ch = next & 0xff;
            }
            buf.append((char) ch);
        }
    }

    private static String cString(StringBuilder buf) {
        int nul = buf.indexOf("\0");
        return nul < 0 ? buf.toString() : buf.substring(0, nul);
    }
}

package modtools.deps.depmod;

import java.util.ArrayList;
import java.util.List;

/**
 * The logical lines of a depmod.d file as kmod's freadline_wrapped() returns them: a
 * backslash before a newline joins two lines, a backslash before anything else is dropped
 * (a backslash at the very end of the file leaves a 0xff byte: C's EOF stored in a char), and
 * each line carries the number of the last physical line it used.
 */
final class ConfigLines {
    /** A logical line; its text ends at its first NUL byte, as the C string would. */
    record Line(String text, int number) {}

    private ConfigLines() {}

    static List<Line> split(byte[] data) {
        List<Line> lines = new ArrayList<>();
        int number = 0;
        int i = 0;
        StringBuilder text = new StringBuilder();
        int newlines = 0;
        for (;;) {
            if (i == data.length) {
                if (text.length() > 0) {
                    lines.add(line(text, number + newlines + 1));
                }
                return lines;
            }
            int c = data[i++] & 0xff;
            if (c == '\n') {
                number += newlines + 1;
                lines.add(line(text, number));
                text.setLength(0);
                newlines = 0;
            } else if (c == '\\') {
                if (i == data.length) {
                    text.append((char) 0xff);
                } else if (data[i] == '\n') {
                    i++;
                    newlines++;
                } else {
                    text.append((char) (data[i++] & 0xff));
                }
            } else {
                text.append((char) c);
            }
        }
    }

    private static Line line(StringBuilder text, int number) {
        int nul = text.indexOf("\0");
        return new Line(nul < 0 ? text.toString() : text.substring(0, nul), number);
    }

    /** strtok_r(line, "\t ") run to the end: the words between tabs and spaces. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && isDelimiter(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isDelimiter(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(line.substring(start, i));
            }
        }
        return words;
    }

    private static boolean isDelimiter(char c) {
        return c == ' ' || c == '\t';
    }
}

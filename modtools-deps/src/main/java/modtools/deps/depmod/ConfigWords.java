package modtools.deps.depmod;

import java.util.ArrayList;
import java.util.List;

/** The words of a depmod.d line, as kmod's depmod splits them. */
final class ConfigWords {
    private ConfigWords() {}

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

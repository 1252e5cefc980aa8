package modtools.cli.modprobe;

import java.util.ArrayList;
import java.util.List;

/**
 * MODPROBE_OPTIONS, split as kmod's prepend_options_from_env splits it: at every space (so
 * two spaces make an empty word), except inside quotes; quotes that open a word delimit it,
 * quotes inside a word are removed.
 */
final class EnvironmentOptions {
    private EnvironmentOptions() {}

    static List<String> split(String env) {
        List<String> words = new ArrayList<>();
        StringBuilder s = new StringBuilder(env);
        int start = 0;
        int quote = -1;
        int i = 0;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote < 0) {
                if (c == ' ') {
                    words.add(s.substring(start, i));
                    start = i + 1;
                } else if (c == '"' || c == '\'') {
                    quote = i;
                }
            } else if (c == s.charAt(quote)) {
                if (quote == start) {
                    words.add(s.substring(start + 1, i));
                    start = i + 1;
                } else {
                    s.deleteCharAt(quote);
                    s.deleteCharAt(i - 1);
                    i -= 2;
                }
                quote = -1;
            }
        }
        if (start < i) {
            words.add(s.substring(start, i));
        }
        return words;
    }
}

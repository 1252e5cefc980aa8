package modtools.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * kmod's options_from_array: module parameters given as separate words, joined by spaces into
 * the string the kernel parses; a value holding a space is quoted unless it starts with a
 * quote already, so that the kernel keeps it one value.
 */
public final class ModuleParameters {
    private ModuleParameters() {}

    public static String join(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            String value = eq < 0 ? null : word.substring(eq + 1);
            if (value != null && !value.startsWith("\"") && !value.startsWith("'") && value.contains(" ")) {
                word = word.substring(0, eq + 1) + "\"" + value + "\"";
            }
            out.add(word);
        }
        return String.join(" ", out);
    }
}

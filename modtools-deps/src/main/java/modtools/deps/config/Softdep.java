package modtools.deps.config;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code softdep PATTERN pre: A B post: C}: modules to load before and after a module whose
 * name matches the pattern. {@code shown} is how {@code modprobe -c} prints the rest of the
 * line, which is not a plain join of the two lists (see {@link #parse}).
 */
public record Softdep(String pattern, List<String> pre, List<String> post, String shown) {

    /**
     * kmod's kmod_config_add_softdep: words separated by C whitespace; "pre:" and "post:"
     * switch lists, words before either are dropped. kmod's scanner has two quirks kept here:
     * whitespace at the very start of the text makes the first word include it (so a leading
     * " pre:" is not recognised), and kmod prints each list as the span of its buffer from
     * the list's first word to its last, with no separator before "post:" — so when the
     * lists interleave, one list's span shows the other's words too.
     */
    static Softdep parse(String pattern, String text) {
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        // Every kept word in line order, as kmod copies them into one buffer.
        List<String> buffer = new ArrayList<>();
        int firstPre = -1, lastPre = -1, firstPost = -1, lastPost = -1;
        int mode = 0;
        for (String word : words(text)) {
            if (word.equals("pre:")) {
                mode = 1;
            } else if (word.equals("post:")) {
                mode = 2;
            } else if (mode != 0) {
                buffer.add(word);
                if (mode == 1) {
                    pre.add(word);
                    firstPre = firstPre < 0 ? buffer.size() - 1 : firstPre;
                    lastPre = buffer.size() - 1;
                } else {
                    post.add(word);
                    firstPost = firstPost < 0 ? buffer.size() - 1 : firstPost;
                    lastPost = buffer.size() - 1;
                }
            }
        }
        String shown = span("pre: ", buffer, firstPre, lastPre) + span("post: ", buffer, firstPost, lastPost);
        return new Softdep(pattern, List.copyOf(pre), List.copyOf(post), shown);
    }

    /**
     * The words of a softdep or weakdep line as kmod's scanner cuts them: separated by C
     * whitespace, except that whitespace at the very start of the text belongs to the first word.
     */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int p = 0;
        boolean wasSpace = false;
        for (int s = 0; ; s++) {
            char c = s < text.length() ? text.charAt(s) : '\0';
            if (c != '\0') {
                if (!isCSpace(c)) {
                    wasSpace = false;
                    continue;
                }
                if (wasSpace) {
                    p = s + 1;
                    continue;
                }
                wasSpace = true;
                if (p >= s) {
                    continue;
                }
            }
            if (c != '\0' || !wasSpace) {
                words.add(text.substring(Math.min(p, s), s));
            }
            p = s + 1;
            if (c == '\0') {
                return words;
            }
        }
    }

    private static String span(String label, List<String> buffer, int first, int last) {
        if (first < 0) {
            return "";
        }
        String words = String.join(" ", buffer.subList(first, last + 1));
        return words.isEmpty() ? "" : label + words;
    }

    /** C's isspace() in the C locale. */
    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}

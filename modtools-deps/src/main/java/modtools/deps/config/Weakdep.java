package modtools.deps.config;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code weakdep PATTERN MODULES…}: modules a module whose name matches the pattern may use
 * but does not need. modprobe never loads them (kmod 33 and later only parse and show them, for
 * tools that build initramfs images); {@code modprobe -c} prints them.
 */
public record Weakdep(String pattern, List<String> modules) {

    public Weakdep {
        modules = List.copyOf(modules);
    }

    /**
     * kmod_config_add_weakdep: words separated by C whitespace, with the scanner's quirk that
     * whitespace at the very start of the text belongs to the first word.
     */
    static Weakdep parse(String pattern, String text) {
        List<String> words = new ArrayList<>();
        int p = 0;
        boolean wasSpace = false;
        for (int s = 0; ; s++) {
            char c = s < text.length() ? text.charAt(s) : '\0';
            if (c != '\0') {
                if (!Softdep.isCSpace(c)) {
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
                return new Weakdep(pattern, words);
            }
        }
    }

    /** How {@code modprobe -c} prints the modules: kmod joins its word buffer with spaces. */
    String shown() {
        return String.join(" ", modules);
    }
}

package modtools.deps.config;

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

    /** kmod_config_add_weakdep: the words as softdep's scanner cuts them, every one a module. */
    static Weakdep parse(String pattern, String text) {
        return new Weakdep(pattern, Softdep.words(text));
    }

    /** How {@code modprobe -c} prints the modules: kmod joins its word buffer with spaces. */
    String shown() {
        return String.join(" ", modules);
    }
}

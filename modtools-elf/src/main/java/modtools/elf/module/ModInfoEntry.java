package modtools.elf.module;

/** One {@code key=value} string of {@code .modinfo}; a string without '=' is a key with an empty value. */
public record ModInfoEntry(String key, String value) {
    public static ModInfoEntry parse(String text) {
        int eq = text.indexOf('=');
        return eq < 0 ? new ModInfoEntry(text, "") : new ModInfoEntry(text.substring(0, eq), text.substring(eq + 1));
    }
}

package modtools.deps.config;

/**
 * kmod's underscores(): a module name or alias from the configuration with '-' turned into
 * '_', except inside a bracket expression. kmod edits the string in place and gives up at an
 * unbalanced bracket, so a failed result still carries the part it had converted: kmod's
 * message about a bad kernel command line option shows it.
 */
record Underscores(String text, boolean valid) {

    static Underscores of(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            switch (c[i]) {
                case '-' -> c[i] = '_';
                case ']' -> {
                    return new Underscores(new String(c), false);
                }
                case '[' -> {
                    while (i < c.length && c[i] != ']') {
                        i++;
                    }
                    if (i == c.length) {
                        return new Underscores(new String(c), false);
                    }
                }
                default -> { }
            }
        }
        return new Underscores(new String(c), true);
    }
}

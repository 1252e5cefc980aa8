package modtools.link;

/** Everything that stops a link, each with what a user needs to find the cause. */
public sealed interface LinkProblem {
    /** The one line a command prints. */
    String message();

    /** A relocation type this architecture does not apply (dynamic, TLS, or unknown). */
    record Unsupported(Site site) implements LinkProblem {
        public String message() {
            return site + ": unsupported relocation type";
        }
    }

    /** The value does not fit the field: never truncated. */
    record Overflow(Site site, long value, String field) implements LinkProblem {
        public String message() {
            return site + ": value 0x" + Long.toHexString(value) + " does not fit in " + field
                    + (field.contains("32") ? " (is the symbol more than 2 GiB away?)" : "");
        }
    }

    /** An import the symbol map does not define. */
    record UnknownSymbol(Site site) implements LinkProblem {
        public String message() {
            return site + ": unknown symbol";
        }
    }

    /** A relocation that cannot be applied where it says: outside its section, into bss, at a symbol not loaded. */
    record BadRelocation(Site site, String problem) implements LinkProblem {
        public String message() {
            return site + ": " + problem;
        }
    }

    /** The object as a whole cannot be linked: wrong machine or kind, a layout that does not fit. */
    record BadObject(String file, String problem) implements LinkProblem {
        public String message() {
            return file + ": " + problem;
        }
    }

    /** A line of a symbol file that is not {@code ADDRESS TYPE NAME}. */
    record BadSymbolFile(String file, int line, String problem) implements LinkProblem {
        public String message() {
            return file + ":" + line + ": " + problem;
        }
    }
}

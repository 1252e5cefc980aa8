package modtools.link;

/** Where a symbol's address came from: the host (or kernel) image, or a loaded module's exports. */
public sealed interface Provider {
    /** The host's own symbols, read from {@code file} (a modfs {@code symbols} file, a System.map). */
    record Host(String file) implements Provider {
        @Override
        public String toString() {
            return "host (" + file + ")";
        }
    }

    /** An export of the loaded module {@code name}: the loader records it as a dependency. */
    record Module(String name) implements Provider {
        @Override
        public String toString() {
            return "module " + name;
        }
    }
}

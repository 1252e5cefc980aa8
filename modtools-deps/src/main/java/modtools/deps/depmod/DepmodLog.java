package modtools.deps.depmod;

/**
 * Where depmod's messages go: kmod's log lines (errors and warnings at its default
 * verbosity), and with -v the resolved dependencies, which kmod lists on stdout.
 */
public interface DepmodLog extends LogSink {
    default void error(String message) {
        log(Level.ERROR, message);
    }

    default void warning(String message) {
        log(Level.WARNING, message);
    }

    /** A verbose-mode line for stdout; only called when verbose output is on. */
    void show(String line);

    boolean verbose();
}

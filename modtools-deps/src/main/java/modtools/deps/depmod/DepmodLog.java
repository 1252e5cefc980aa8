package modtools.deps.depmod;

/**
 * Where depmod's messages go. kmod prints errors and warnings to stderr as
 * "depmod: ERROR: …"/"depmod: WARNING: …", and with -v lists each resolved dependency on stdout.
 */
public interface DepmodLog {
    void error(String message);

    void warning(String message);

    /** A verbose-mode line for stdout; only called when verbose output is on. */
    void show(String line);

    boolean verbose();
}

package modtools.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * One run of a command: how it was called, its arguments and its streams. Tests build one
 * directly to run a command in-process against files of their choosing.
 *
 * @param argv0   the name as typed (getopt prints it in its messages)
 * @param program the short name kmod prints before "ERROR:" and "FATAL:"
 * @param cwd     for turning relative paths absolute the way kmod does (without resolving "..")
 */
public record Invocation(String argv0, String program, List<String> args, PrintStream out, PrintStream err,
                         Path cwd, String kernelRelease) {

    /** kmod's ERR(): "prog: ERROR: message". */
    public void error(String message) {
        err.println(program + ": ERROR: " + message);
    }
}

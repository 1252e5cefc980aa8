package modtools.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import modtools.deps.KmodLevel;
import modtools.deps.cache.ReadCache;

/**
 * One run of a command: how it was called, its arguments and its streams. Tests build one
 * directly to run a command in-process against files of their choosing.
 *
 * @param argv0   the name as typed (getopt prints it in its messages)
 * @param program the short name kmod prints before "ERROR:" and "FATAL:"
 * Nothing a command reads from its process may stand in for these: a resident server runs
 * many invocations at once in one JVM, each with its own directory, environment and streams.
 *
 * @param cwd         for turning relative paths absolute the way kmod does (without resolving "..")
 * @param environment the caller's environment (MODPROBE_OPTIONS, MODFS, MODTOOLS_KMOD, ...)
 * @param stderrClosed whether the caller started us with stderr closed ({@code err} then goes
 *                    nowhere): kmod's modprobe then logs to syslog. The launcher and the client
 *                    see it before the JVM opens anything in its place.
 * @param cache       what the process keeps of indexes and configuration between calls: nothing
 *                    but in the resident server
 */
public record Invocation(String argv0, String program, List<String> args, PrintStream out, PrintStream err,
                         Path cwd, String kernelRelease, Map<String, String> environment, boolean stderrClosed,
                         ReadCache cache) {

    /** A run whose caller's stderr is open, that keeps nothing for the next. */
    public Invocation(String argv0, String program, List<String> args, PrintStream out, PrintStream err, Path cwd,
                      String kernelRelease, Map<String, String> environment) {
        this(argv0, program, args, out, err, cwd, kernelRelease, environment, false, ReadCache.NONE);
    }

    /** libkmod's path_make_absolute_cwd: the working directory joined in front, ".." left as it is. */
    public String absolute(String path) {
        return path.startsWith("/") ? path : cwd + "/" + path;
    }

    /** The file a path given on the command line names, whatever the process's own directory. */
    public Path file(String path) {
        return cwd.resolve(path);
    }

    /** The same run with other arguments and kernel release (a backend's own view of the kernel). */
    public Invocation with(List<String> newArgs, String release) {
        return new Invocation(argv0, program, newArgs, out, err, cwd, release, environment, stderrClosed, cache);
    }

    /**
     * The kmod release whose behaviour to copy, from the caller's {@code MODTOOLS_KMOD}.
     * {@link Main#run} refuses a run whose value names no level before any command starts.
     */
    public KmodLevel level() {
        return KmodLevel.of(environment.get(KmodLevel.VARIABLE)).orElseThrow();
    }

    /** kmod's ERR(): "prog: ERROR: message". */
    public void error(String message) {
        err.println(program + ": ERROR: " + message);
    }
}

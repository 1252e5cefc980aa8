package modtools.cli.modfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The host daemon seen from outside, by its pid. */
final class HostProcess {
    private HostProcess() {}

    /**
     * Whether {@code pid} still runs. A host that has exited stays a zombie until whoever
     * inherited it reaps it, which can take seconds; a zombie has stopped all the same.
     */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            // "pid (comm) state ...": comm may hold spaces and parentheses, the state follows the last ')'.
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether {@code pid} is a running modfs host serving {@code dir}: {@code modfs mount
     * --foreground} with {@code dir} among its arguments (resolved against its working
     * directory). A pid file beside a directory may be anybody's ({@code /run/sshd.pid} beside
     * {@code /run/sshd}); only one that names our host is ours to touch.
     */
    static boolean serves(long pid, Path dir) {
        if (!running(pid)) {
            return false;
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            List<String> argv = Arrays.asList(Files.readString(proc.resolve("cmdline"), StandardCharsets.ISO_8859_1)
                    .split("\0"));
            int modfs = argv.indexOf("modfs");
            if (modfs < 0 || !argv.subList(modfs, argv.size()).containsAll(List.of("mount", "--foreground"))) {
                return false;
            }
            Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
            for (String arg : argv.subList(modfs + 1, argv.size())) {
                if (!arg.startsWith("-") && cwd.resolve(arg).normalize().equals(dir)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

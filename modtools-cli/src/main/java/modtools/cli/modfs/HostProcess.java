package modtools.cli.modfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
}

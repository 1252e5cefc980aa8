package modtools.cli.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import modtools.cli.Invocation;
import modtools.cli.modprobe.ModprobeCommand;

/**
 * Which calls the server runs: the commands that only read and write files. Loading and
 * removing keep a process of their own. A call whose environment would change what this JVM
 * fixed at its start (the locale that decides how file names become bytes, POSIXLY_CORRECT that
 * fnmatch reads once, TZ that stamps the syslog records of a modprobe whose stderr is closed) runs in a JVM of its own as well, and so does a client that sees other
 * files under the same names: in another mount namespace (unshare -m, a container) or chroot.
 * So does a call that names a file by the caller's own descriptors ({@code -C /dev/stdin},
 * {@code /proc/self/fd/3}): in the server those names are the server's descriptors.
 */
final class Served {
    private static final String[] FIXED_AT_START = {"POSIXLY_CORRECT", "LC_ALL", "LC_CTYPE", "LANG", "TZ"};

    private static final String[] PER_PROCESS = {"/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/fd", "/proc/self",
        "/proc/thread-self"};

    private Served() {}

    /** Whether a word may name a file through the calling process's own descriptors or /proc entry. */
    private static boolean perProcess(String word) {
        for (String name : PER_PROCESS) {
            if (word.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether process {@code pid} has this process's mounts and root, so its paths name our files. */
    static boolean seesSameFiles(int pid) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            return Files.readSymbolicLink(proc.resolve("ns/mnt")).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")))
                    && Files.isSameFile(proc.resolve("root"), Path.of("/"));
        } catch (IOException e) {
            return false;
        }
    }

    static boolean served(Invocation inv, Map<String, String> serverEnvironment) {
        for (String name : FIXED_AT_START) {
            if (!Objects.equals(inv.environment().get(name), serverEnvironment.get(name))) {
                return false;
            }
        }
        if (inv.cwd().startsWith("/dev") || inv.cwd().startsWith("/proc") || inv.args().stream().anyMatch(Served::perProcess)
                || perProcess(inv.environment().getOrDefault("MODPROBE_OPTIONS", ""))) {
            return false;
        }
        return switch (inv.program()) {
            case "modinfo", "depmod", "lsmod", "link" -> true;
            case "modprobe" -> ModprobeCommand.onlyLooks(inv.args(), inv.environment());
            default -> false;
        };
    }
}

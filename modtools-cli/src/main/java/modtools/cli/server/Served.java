package modtools.cli.server;

import java.util.Map;
import java.util.Objects;
import modtools.cli.Invocation;
import modtools.cli.modprobe.ModprobeCommand;

/**
 * Which calls the server runs: the commands that only read and write files. Loading and
 * removing keep a process of their own. A call whose environment would change what this JVM
 * fixed at its start (the locale that decides how file names become bytes, POSIXLY_CORRECT that
 * fnmatch reads once) runs in a JVM of its own as well.
 */
final class Served {
    private static final String[] FIXED_AT_START = {"POSIXLY_CORRECT", "LC_ALL", "LC_CTYPE", "LANG"};

    private Served() {}

    static boolean served(Invocation inv, Map<String, String> serverEnvironment) {
        for (String name : FIXED_AT_START) {
            if (!Objects.equals(inv.environment().get(name), serverEnvironment.get(name))) {
                return false;
            }
        }
        return switch (inv.program()) {
            case "modinfo", "depmod", "lsmod", "link" -> true;
            case "modprobe" -> ModprobeCommand.onlyLooks(inv.args(), inv.environment());
            default -> false;
        };
    }
}

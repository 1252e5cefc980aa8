package modtools.cli.modfsbackend;

import java.io.IOException;
import java.util.List;
import modtools.cli.Command;
import modtools.cli.Invocation;
import modtools.cli.insmod.InsmodCommand;
import modtools.cli.lsmod.LsmodCommand;
import modtools.cli.modprobe.Host;
import modtools.cli.modprobe.ModprobeCommand;
import modtools.cli.rmmod.RmmodCommand;

/**
 * insmod, rmmod, modprobe and lsmod with the backend chosen for this run ({@link
 * ModfsBackend#choose}): over modfs the commands see the host's release as the kernel's, so
 * modprobe's module directory is /lib/modules/RELEASE; otherwise they run as on Linux.
 */
public final class Backends {
    public static final List<String> COMMANDS = List.of("insmod", "rmmod", "modprobe", "lsmod");

    private Backends() {}

    public static int run(String name, Invocation inv) {
        ModfsBackend.Choice choice = ModfsBackend.choose(inv.args(), inv.environment().get("MODFS"), inv.cwd());
        if (choice.error() != null) {
            inv.error(choice.error());
            return 1;
        }
        if (choice.modfs() == null) {
            Invocation linux = choice.args().equals(inv.args()) ? inv : inv.with(choice.args(), inv.kernelRelease());
            return linuxCommand(name, Host.linux(inv.environment())).run(linux);
        }
        ModfsBackend backend;
        try {
            backend = ModfsBackend.open(choice.modfs(), inv.err(), name.equals("modprobe"));
        } catch (IOException e) {
            inv.error(choice.modfs() + ": not a usable modfs: " + e.getMessage());
            return 1;
        }
        try (backend) {
            Host host = backend.host(inv.environment());
            Command command = switch (name) {
                case "insmod" -> new InsmodCommand(host.loader());
                case "rmmod" -> new RmmodCommand(host);
                case "modprobe" -> new ModprobeCommand(host);
                case "lsmod" -> new LsmodCommand(host, backend::loadedNewestFirst);
                default -> throw new IllegalArgumentException(name + " has no backend");
            };
            return command.run(inv.with(choice.args(), backend.release()));
        }
    }

    /**
     * Starts JNA as the modfs backend starts it, for the run that makes the class-data archive
     * ({@link modtools.cli.CdsTraining}); nothing else happens.
     */
    public static void warmUp() {
        try {
            Sys.inode("/");
        } catch (Sys.SysError | LinkageError e) {
            // no JNA here: the archive goes without its classes
        }
    }

    private static Command linuxCommand(String name, Host host) {
        return switch (name) {
            case "insmod" -> new InsmodCommand(host.loader());
            case "rmmod" -> new RmmodCommand(host);
            case "modprobe" -> new ModprobeCommand(host);
            case "lsmod" -> new LsmodCommand(host, LsmodCommand.PROC_MODULES);
            default -> throw new IllegalArgumentException(name + " has no backend");
        };
    }
}

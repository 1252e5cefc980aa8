package modtools.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import modtools.cli.insmod.InsmodCommand;
import modtools.cli.lsmod.LsmodCommand;
import modtools.cli.modprobe.Host;
import modtools.cli.modprobe.ModprobeCommand;
import modtools.cli.rmmod.RmmodCommand;
import modtools.contract.MountPath;
import modtools.deps.resolve.LinuxErrno;
import modtools.load.BackendChoice;
import modtools.load.modfs.ModfsBackend;

/**
 * insmod, rmmod, modprobe and lsmod with the backend chosen for this run ({@link
 * BackendChoice}): over modfs the commands see the host's release as the kernel's, so
 * modprobe's module directory is /lib/modules/RELEASE; otherwise they run as on Linux.
 */
public final class Backends {
    public static final List<String> COMMANDS = List.of("insmod", "rmmod", "modprobe", "lsmod");

    private Backends() {}

    public static int run(String name, Invocation inv) {
        BackendChoice choice = BackendChoice.choose(inv.args(), inv.environment().get(MountPath.ENVIRONMENT), inv.cwd());
        if (choice.error() != null) {
            inv.error(choice.error());
            return 1;
        }
        if (choice.modfs() == null) {
            Invocation linux = choice.args().equals(inv.args()) ? inv : inv.with(choice.args(), inv.kernelRelease());
            return linuxCommand(name, Host.linux(inv.environment(), inv.level().zstdReading())).run(linux);
        }
        ModfsBackend backend;
        try {
            backend = ModfsBackend.open(choice.modfs(), inv.err(), name.equals("modprobe"), inv.environment(),
                    inv.level().zstdReading());
        } catch (IOException e) {
            inv.error(choice.modfs() + ": not a usable modfs: " + problem(e));
            return 1;
        }
        try (backend) {
            // the modfs host has no kernel command line
            Host host = new Host(Path.of("/dev/null"), backend.state(), backend.loader(), inv.environment());
            Command command = switch (name) {
                case "insmod" -> new InsmodCommand(host.loader());
                case "rmmod" -> new RmmodCommand(host);
                case "modprobe" -> new ModprobeCommand(host);
                case "lsmod" -> new LsmodCommand(host, backend::listing);
                default -> throw new IllegalArgumentException(name + " has no backend");
            };
            return command.run(inv.with(choice.args(), backend.release()));
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

    /**
     * NIO names only the file when it is refused or missing (another user's mount refuses
     * everyone else), so the C library's words are added.
     */
    private static String problem(IOException e) {
        if (e instanceof AccessDeniedException || e instanceof NoSuchFileException) {
            return ((FileSystemException) e).getFile() + ": " + LinuxErrno.strerror(LinuxErrno.of(e));
        }
        return e.getMessage();
    }
}

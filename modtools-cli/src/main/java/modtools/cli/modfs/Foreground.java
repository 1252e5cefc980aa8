package modtools.cli.modfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import modtools.cli.modfs.ModfsCommand.Result;
import modtools.deps.resolve.LinuxErrno;
import modtools.modfs.ModfsServer;
import modtools.modfs.fuse.MountPoints;
import modtools.modfs.fuse.Outcome;

/**
 * The host in this process: mount, write the pid file (the sign that the mount is ready), serve
 * until unmounted. SIGTERM and SIGINT stop it in order through a shutdown hook: live modules
 * exited in reverse load order, then the mount point released.
 */
final class Foreground {
    private Foreground() {}

    static Result run(Path dir) {
        List<String> notes = MountPointCheck.recoverDead(dir);
        if (MountPoints.mounted(dir, ModfsServer.FS_TYPE)) {
            return Result.failed(notes, dir + ": already mounted");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return Result.failed(notes, dir + ": cannot create the mount point: " + e.getMessage());
        }
        Outcome<ModfsServer> mounted = ModfsServer.mount(dir);
        if (mounted instanceof Outcome.Failed<ModfsServer> f) {
            String hint = f.errno() == 1 ? " (mounting needs root)" : "";
            return Result.failed(notes, dir + ": " + f.why() + ": " + LinuxErrno.strerror(f.errno()) + hint);
        }
        ModfsServer server = ((Outcome.Done<ModfsServer>) mounted).value();
        PidFile pidFile = PidFile.of(dir);
        long pid = ProcessHandle.current().pid();
        try {
            pidFile.write(pid);
        } catch (IOException e) {
            server.stop();
            return Result.failed(notes, pidFile.path() + ": cannot write the pid file: " + e.getMessage());
        }
        Thread hook = new Thread(() -> {
            server.stop();
            pidFile.removeIfOwnedBy(pid);
        }, "modfs stop");
        Runtime.getRuntime().addShutdownHook(hook);
        server.serve();
        List<String> problems = server.stop();
        pidFile.removeIfOwnedBy(pid);
        return problems.isEmpty() ? Result.ok(notes) : Result.failed(notes, String.join("; ", problems));
    }
}

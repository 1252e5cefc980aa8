package modtools.cli.server;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.cli.Command;
import modtools.cli.Invocation;

/**
 * {@code modtools server [--dir DIR]}: the resident server the native client starts. Its
 * directory is DIR or the user's default ({@link SocketDirectory}); its idle time
 * MODTOOLS_SERVER_IDLE seconds (60 by default), both from its own command line and environment.
 */
public final class ServerCommand implements Command {
    private static final long DEFAULT_IDLE_SECONDS = 60;

    @Override
    public int run(Invocation inv) {
        List<String> args = inv.args();
        Map<String, String> own = inv.environment();
        int uid = Libc.uid();
        Optional<Path> dir;
        if (args.size() == 2 && args.get(0).equals("--dir")) {
            dir = Optional.of(inv.file(args.get(1)));
        } else if (args.isEmpty()) {
            dir = SocketDirectory.defaultFor(uid, own);
        } else {
            inv.err().println("Usage: modtools server [--dir DIR]");
            return 1;
        }
        if (dir.isEmpty()) {
            inv.err().println("modtools server: XDG_RUNTIME_DIR is not set, and no --dir was given");
            return 1;
        }
        Optional<String> problem = SocketDirectory.prepare(dir.get(), uid);
        if (problem.isPresent()) {
            inv.err().println("modtools server: " + problem.get());
            return 1;
        }
        long idle;
        try {
            idle = Long.parseLong(own.getOrDefault("MODTOOLS_SERVER_IDLE", Long.toString(DEFAULT_IDLE_SECONDS)));
        } catch (NumberFormatException e) {
            inv.err().println("modtools server: MODTOOLS_SERVER_IDLE is not a number of seconds");
            return 1;
        }
        String buildId;
        try {
            Path jar = Path.of(ServerCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            buildId = BuildId.of(jar);
        } catch (IOException | URISyntaxException e) {
            inv.err().println("modtools server: cannot identify its build: " + e.getMessage());
            return 1;
        }
        try {
            return new Server(dir.get(), buildId, own, idle).serve(inv.err()) ? 0 : 1;
        } catch (InterruptedException e) {
            return 1;
        }
    }
}

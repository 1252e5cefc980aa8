package modtools.cli.modfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import modtools.modfs.fuse.Owner;

/**
 * Where the host daemon keeps what it writes besides the mount: its working directory, so that
 * anything the JVM drops there (a core file) lands here, the JVM's crash reports
 * ({@code hs_err_pid*.log}) and the host's own stderr. {@code $MODFS_STATE_DIR}, else
 * {@code /var/lib/modfs} for root and {@code $XDG_STATE_HOME/modfs} (or
 * {@code $HOME/.local/state/modfs}) for anyone else.
 */
record StateDir(Path path) {
    static StateDir of(java.util.Map<String, String> env) {
        String given = env.get("MODFS_STATE_DIR");
        if (given != null && !given.isEmpty()) {
            return new StateDir(Path.of(given).toAbsolutePath());
        }
        if (Owner.ofProcess().uid() == 0) {
            return new StateDir(Path.of("/var/lib/modfs"));
        }
        String xdg = env.get("XDG_STATE_HOME");
        // $HOME as the XDG base directories say, before the passwd entry (Java's user.home),
        // which for a system user such as nobody is a directory that does not exist
        String home = env.get("HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg)
                : Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".local", "state");
        return new StateDir(base.resolve("modfs"));
    }

    /** Creates the directory (private to its user) if it is missing. */
    Path create() throws IOException {
        if (!Files.isDirectory(path)) {
            Files.createDirectories(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return path;
    }

    /** The JVM option that sends the host's crash reports here. */
    String errorFileOption() {
        return "-XX:ErrorFile=" + path.resolve("hs_err_pid%p.log");
    }
}

package modtools.cli.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Where a user's server listens: a directory only that user may enter, {@code server} in
 * {@code /run/modtools} for root and in {@code $XDG_RUNTIME_DIR/modtools} for others, chosen
 * from the server's own environment at its start, never from a request's. A directory owned by
 * another user or open to others is refused, and so is one whose parent others may write:
 * whoever controls either could put their own socket in our place.
 */
final class SocketDirectory {
    static final String SOCKET = "socket";
    static final String LOCK = "lock";

    private SocketDirectory() {}

    /** The default place for {@code uid}, empty when a user without XDG_RUNTIME_DIR has none. */
    static Optional<Path> defaultFor(int uid, Map<String, String> ownEnvironment) {
        if (uid == 0) {
            return Optional.of(Path.of("/run/modtools/server"));
        }
        String runtime = ownEnvironment.get("XDG_RUNTIME_DIR");
        if (runtime == null || !runtime.startsWith("/")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(runtime, "modtools", "server"));
    }

    /** Makes the directory if missing; the problem with it, if it is not fit to hold the socket. */
    static Optional<String> prepare(Path dir, int uid) {
        try {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
                int owner = (Integer) Files.getAttribute(parent, "unix:uid");
                int mode = (Integer) Files.getAttribute(parent, "unix:mode");
                if ((owner != uid && owner != 0) || (mode & 022) != 0 && (mode & 01000) == 0) {
                    return Optional.of(parent + ": others may replace what it holds");
                }
            }
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // made by a server starting at the same time: checked below like any other
                }
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(dir + ": not a directory");
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid) {
                return Optional.of(dir + ": owned by uid " + owner + ", not " + uid);
            }
            if ((mode & 077) != 0) {
                return Optional.of(dir + ": mode " + Integer.toOctalString(mode & 07777) + " lets others in (0700 needed)");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(dir + ": " + e.getMessage());
        }
    }
}

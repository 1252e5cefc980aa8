package modtools.cli.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Which jar a server runs: its path, inode, size and modification time, as the client computes
 * them from stat(2) at every call (run from a class directory, as in tests, the directory's). A rebuilt or reinstalled jar has another id, and the server
 * of the old one quits when a client of the new one calls.
 */
final class BuildId {
    private BuildId() {}

    static String of(Path jar) throws IOException {
        long inode = ((Number) Files.getAttribute(jar, "unix:ino")).longValue();
        FileTime modified = Files.getLastModifiedTime(jar);
        var instant = modified.toInstant();
        return jar + ":" + Long.toUnsignedString(inode) + ":" + Files.size(jar) + ":" + instant.getEpochSecond() + "."
                + String.format("%09d", instant.getNano());
    }
}

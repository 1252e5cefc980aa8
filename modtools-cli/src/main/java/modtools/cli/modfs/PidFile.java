package modtools.cli.modfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The host's pid, beside the mount point ({@code /run/modfs.pid} for {@code /run/modfs}): it
 * cannot be inside, where modfs answers, and umount needs it to stop the host in order.
 */
record PidFile(Path path) {
    static PidFile of(Path mountPoint) {
        return new PidFile(mountPoint.resolveSibling(mountPoint.getFileName() + ".pid"));
    }

    /** Written under a temporary name and renamed, so a reader never sees half a pid. */
    void write(long pid) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + "." + pid + ".tmp");
        Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Optional<Long> read() {
        try {
            return Optional.of(Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes the file if it still names {@code pid} (a newer host may have taken it over). */
    void removeIfOwnedBy(long pid) {
        if (read().filter(p -> p == pid).isPresent()) {
            delete();
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A pid file that stays names a process that no longer exists; umount checks for that.
        }
    }
}

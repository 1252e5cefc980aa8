package modtools.cli.modfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The host's pid, beside the mount point ({@code /run/modfs.pid} for {@code /run/modfs}): it
 * cannot be inside, where modfs answers, and umount needs it to stop the host in order. The
 * same file is the lock that serializes mount and umount of the directory ({@link MountLock}),
 * so it is rewritten in place, never replaced; a reader that finds it empty or half written
 * reads again.
 */
record PidFile(Path path) {
    static PidFile of(Path mountPoint) {
        return new PidFile(mountPoint.resolveSibling(mountPoint.getFileName() + ".pid"));
    }

    void write(long pid) throws IOException {
        Files.writeString(path, pid + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.CREATE);
    }

    Optional<Long> read() {
        try {
            return Optional.of(Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the file is there and empty: made by a lock of ours, no host written into it yet. */
    boolean empty() {
        try {
            return Files.size(path) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes the file if it still names {@code pid} (a newer host may have taken it over). */
    void removeIfOwnedBy(long pid) {
        if (read().filter(p -> p == pid).isPresent()) {
            delete();
        }
    }

    /** Removes the file if it is empty: made by a lock of ours, never written. */
    void removeIfEmpty() {
        if (empty()) {
            delete();
        }
    }

    /** Removes the file if it is empty or names a process that is gone: left by a host that crashed. */
    void removeIfStale() {
        if (empty() || read().filter(HostProcess::running).isEmpty() && read().isPresent()) {
            delete();
        }
    }

    private void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A pid file that stays names a process that no longer exists; umount checks for that.
        }
    }
}

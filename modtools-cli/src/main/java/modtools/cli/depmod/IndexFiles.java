package modtools.cli.depmod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import modtools.cli.KmodLog;
import java.util.List;
import modtools.deps.depmod.DepmodLog;
import modtools.deps.depmod.DepmodOutput;
import modtools.deps.resolve.LinuxErrno;

/**
 * Writes each index under a temporary name in the module directory and renames it into place,
 * so a reader sees the old file or the new one, never half of one. The temporary name is
 * kmod's: NAME.PID.USEC.SEC.
 */
final class IndexFiles {
    private static final AtomicLong LAST_MICROS = new AtomicLong();
    private final Path directory;
    private final boolean create;
    private final KmodLog log;

    /**
     * The time in microseconds, never the same twice in this process: depmods served at once by
     * one server share its pid, and a temporary name must stay one run's own.
     */
    private static long uniqueMicros() {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
        while (true) {
            long last = LAST_MICROS.get();
            long next = Math.max(last + 1, micros);
            if (LAST_MICROS.compareAndSet(last, next)) {
                return next;
            }
        }
    }

    /** {@code create}: make the directory and its parents first, as kmod 34 does (mkdir -p). */
    IndexFiles(Path directory, boolean create, KmodLog log) {
        this.directory = directory;
        this.create = create;
        this.log = log;
    }

    void write(List<DepmodOutput.Rendered> files, DepmodLog messages) throws IOException {
        long now = uniqueMicros();
        long pid = ProcessHandle.current().pid();
        String suffix = "." + pid + "." + now % 1_000_000 + "." + now / 1_000_000;
        if (create) {
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new IOException("could not create directory " + directory + ": "
                        + LinuxErrno.strerror(LinuxErrno.of(e)));
            }
        }
        if (!Files.isDirectory(directory)) {
            throw new IOException("could not open directory " + directory + ": No such file or directory");
        }
        for (DepmodOutput.Rendered file : files) {
            for (DepmodOutput.Message m : file.messages()) {
                m.sendTo(messages);
            }
            DepmodOutput.Kind kind = file.kind();
            byte[] bytes = file.bytes();
            Path tmp = directory.resolve(kind.fileName() + suffix);
            try {
                Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                Files.move(tmp, directory.resolve(kind.fileName()), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                log.log(KmodLog.ERR, "Could not write index '" + kind.fileName() + "': " + e.getMessage());
                throw e;
            }
        }
    }
}

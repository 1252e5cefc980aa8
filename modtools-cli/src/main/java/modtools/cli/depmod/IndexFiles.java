package modtools.cli.depmod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import modtools.cli.KmodLog;
import java.util.List;
import modtools.deps.depmod.DepmodLog;
import modtools.deps.depmod.DepmodOutput;

/**
 * Writes each index under a temporary name in the module directory and renames it into place,
 * so a reader sees the old file or the new one, never half of one. The temporary name is
 * kmod's: NAME.PID.USEC.SEC.
 */
final class IndexFiles {
    private final Path directory;
    private final KmodLog log;

    IndexFiles(Path directory, KmodLog log) {
        this.directory = directory;
        this.log = log;
    }

    void write(List<DepmodOutput.Rendered> files, DepmodLog messages) throws IOException {
        long now = System.currentTimeMillis();
        long pid = ProcessHandle.current().pid();
        String suffix = "." + pid + "." + (now % 1000) * 1000 + "." + now / 1000;
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

package modtools.modfs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import modtools.contract.MountPath;
import modtools.modfs.fuse.Outcome;

/** A modfs mounted by this JVM on a directory of the test's, served by a thread of its own. */
final class Mounted implements AutoCloseable {
    final Path dir;
    private final ModfsServer server;
    private final Thread serving;

    Mounted(Path dir) {
        this.dir = dir;
        Outcome<ModfsServer> mounted = ModfsServer.mount(dir);
        if (mounted instanceof Outcome.Failed<ModfsServer> f) {
            throw new IllegalStateException("mount " + dir + ": errno " + f.errno() + ": " + f.why());
        }
        server = ((Outcome.Done<ModfsServer>) mounted).value();
        serving = new Thread(server::serve, "modfs test server");
        serving.setDaemon(true);
        serving.start();
    }

    Path path(String relative) {
        return dir.resolve(relative);
    }

    String read(String relative) throws IOException {
        return Files.readString(path(relative), StandardCharsets.ISO_8859_1);
    }

    String log() throws IOException {
        return read("log");
    }

    /** The address of an exported host function, from {@code symbols}. */
    long symbol(String name) throws IOException {
        for (String line : read("symbols").split("\n")) {
            String[] f = line.split(" ");
            if (f[2].equals(name)) {
                return Long.parseUnsignedLong(f[0], 16);
            }
        }
        throw new IllegalStateException(name + " is not exported");
    }

    /** The module file's status lines: state, address, size. */
    List<String> status(String module) throws IOException {
        return List.of(read(module).split("\n"));
    }

    long address(String module) throws IOException {
        return Long.decode(status(module).get(1));
    }

    List<String> stop() throws InterruptedException {
        List<String> problems = server.stop();
        serving.join(10_000);
        return problems;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        assertTrue(!MountPath.mounted(dir), dir + " is still mounted");
    }
}

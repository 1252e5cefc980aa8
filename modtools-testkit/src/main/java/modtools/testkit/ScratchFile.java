package modtools.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file named {@code name} in a fresh temporary directory, both gone when the JVM exits: for
 * fuzz targets whose code under test reads a file, rewritten with each input.
 */
public final class ScratchFile {
    private ScratchFile() {}

    public static Path create(String name) {
        try {
            Path dir = Files.createTempDirectory("modtools-scratch");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(name);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package modtools.deps.depmod;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import modtools.deps.KmodLevel;

/** depmod.d on any bytes: bad lines are logged and skipped, never an exception. */
class DepmodConfigFuzzTest {
    private static final Path FILE = scratch();

    private static Path scratch() {
        try {
            Path dir = Files.createTempDirectory("depmod-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("fuzz.conf");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void depmodConf(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        DepmodConfig.load(KmodLevel.KMOD34, List.of(FILE.toString()), "6.1.0-fuzz", FILE.getParent(), (level, message) -> { });
    }
}

package modtools.deps.depmod;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import modtools.deps.cache.ReadCache;
import modtools.testkit.ScratchFile;
import java.util.List;
import modtools.deps.KmodLevel;

/** depmod.d on any bytes: bad lines are logged and skipped, never an exception. */
class DepmodConfigFuzzTest {
    private static final Path FILE = ScratchFile.create("fuzz.conf");

    @FuzzTest(maxDuration = "10m")
    void depmodConf(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        DepmodConfig.load(KmodLevel.KMOD34, List.of(FILE.toString()), "6.1.0-fuzz", FILE.getParent(), (level, message) -> { }, ReadCache.NONE);
    }
}

package modtools.deps.index;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import modtools.testkit.ScratchFile;

/**
 * The index reader on any bytes, in both of kmod's reader orders: lookups (exact and wild)
 * and the full walk end in a result or {@link IndexFormatException}, nothing else.
 */
class IndexFuzzTest {
    private static final Path FILE = ScratchFile.create("modules.fuzz.bin");

    @FuzzTest(maxDuration = "10m")
    void indexReader(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        try {
            var index = IndexFile.open(FILE);
            if (index.isEmpty()) {
                return;
            }
            for (IndexFile.Access access : IndexFile.Access.values()) {
                index.get().search("pci:v00008086d00001234", access);
                index.get().searchWild("pci:v00008086d00001234sv*", access);
                index.get().entries(access);
            }
        } catch (IndexFormatException e) {
            // refused with a message
        }
    }
}

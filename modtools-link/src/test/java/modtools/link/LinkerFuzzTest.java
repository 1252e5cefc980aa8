package modtools.link;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;

/**
 * The linker on any object: mutated relocatable objects link or are refused with
 * {@link LinkException} or {@link ElfFormatException}, nothing else.
 */
class LinkerFuzzTest {
    private static final SymbolMap HOST = new SymbolMap.Builder()
            .define("host_near", 0x50000000L, true, new Provider.Host("fuzz"))
            .define("near_data", 0x50000040L, false, new Provider.Host("fuzz"))
            .define("host_far", 0x7f0000000000L, true, new Provider.Host("fuzz"))
            .define("modfs_log", 0x7f0000000040L, true, new Provider.Host("fuzz"))
            .build();

    @FuzzTest(maxDuration = "10m")
    void linkMutatedObjects(byte[] bytes) {
        try {
            Linker.link(ElfFile.parse("fuzz.o", ByteBuffer.wrap(bytes)), 0x40000000L, HOST);
        } catch (LinkException | ElfFormatException e) {
            // refused with a message
        }
    }
}

package modtools.elf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import modtools.elf.module.KernelModule;

/**
 * The ELF reader and the kernel-module view on any bytes: the only allowed outcomes are a
 * result and {@link ElfFormatException}. {@code mvn verify} runs the stored inputs
 * (ElfFuzzTestInputs); {@code scripts/fuzz elf} fuzzes.
 */
class ElfFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void elfReader(byte[] bytes) {
        try {
            ElfMutationTest.walk("fuzz.o", ByteBuffer.wrap(bytes));
        } catch (ElfFormatException e) {
            // refused with a message: what damaged input should get
        }
    }

    @FuzzTest(maxDuration = "10m")
    void moduleView(byte[] bytes) {
        try {
            KernelModule module = KernelModule.of(ElfFile.parse("fuzz.ko", ByteBuffer.wrap(bytes)));
            module.modinfo();
            module.name();
            module.vermagic();
            module.linkage();
            module.versions();
        } catch (ElfFormatException e) {
            // refused with a message
        }
    }
}

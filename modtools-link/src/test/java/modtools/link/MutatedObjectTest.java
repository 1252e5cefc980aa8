package modtools.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.RelocationSection;
import modtools.elf.Section;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged objects end in an image or in one of our two exceptions, never in another
 * exception: an index out of an array would mean a read or a write outside the image.
 * Half the mutations land in relocation entries, where offsets, symbol indexes and types come from.
 */
class MutatedObjectTest {
    @TempDir
    Path dir;

    @Test
    void mutatedObjectsFailCleanly() throws Exception {
        Path source = dir.resolve("m.c");
        Files.writeString(source, LdDifferentialTest.program(7, false, true));
        Path object = dir.resolve("m.o");
        Processes.Result r = Processes.run(List.of("gcc", "-c", "-O2", "-fcommon", "-mcmodel=small",
                source.toString(), "-o", object.toString()));
        assertEquals(0, r.status(), r.stderrText());
        byte[] original = Files.readAllBytes(object);
        ElfFile clean = ElfFile.parse("m.o", ByteBuffer.wrap(original));
        SymbolMap map = new SymbolMap.Builder()
                .define("host_near", 0x50000000L, true, new Provider.Host("test"))
                .define("near_data", 0x50000040L, false, new Provider.Host("test"))
                .define("host_far", 0x7f0000000000L, true, new Provider.Host("test"))
                .define("host_far2", 0x7f0000000040L, true, new Provider.Host("test"))
                .build();
        Linker.link(clean, 0x40000000L, map); // the unmutated object links
        long[][] relocationData = clean.relocationSections().stream().map(RelocationSection::section)
                .map(s -> new long[] {s.offset(), s.size()}).toArray(long[][]::new);
        Random random = new Random(42);
        int linked = 0;
        int failed = 0;
        for (int i = 0; i < 4000; i++) {
            byte[] bytes = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at;
                if (random.nextBoolean()) {
                    long[] rel = relocationData[random.nextInt(relocationData.length)];
                    at = (int) (rel[0] + random.nextInt((int) rel[1]));
                } else {
                    at = random.nextInt(bytes.length);
                }
                bytes[at] = (byte) random.nextInt(256);
            }
            try {
                ElfFile elf = ElfFile.parse("mutant" + i + ".o", ByteBuffer.wrap(bytes));
                Linker.link(elf, 0x40000000L, map);
                linked++;
            } catch (LinkException | ElfFormatException e) {
                failed++;
            } catch (RuntimeException e) {
                fail("mutant " + i + ": " + e + " at " + java.util.Arrays.toString(java.util.Arrays.copyOf(e.getStackTrace(), 4)), e);
            }
        }
        System.out.println("mutated objects: " + linked + " linked, " + failed + " refused with a message");
    }
}

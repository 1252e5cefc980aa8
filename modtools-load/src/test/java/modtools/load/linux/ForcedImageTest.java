package modtools.load.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import modtools.elf.ElfFormatException;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forced image as readelf and kmod's modinfo see it: a real module's {@code __versions}
 * loses SHF_ALLOC and only that, its vermagic string becomes NULs and only that, and nothing
 * else of the image changes. (That the kernel then loads it is scripts/test-kernel's part.)
 */
class ForcedImageTest {
    @TempDir
    static Path tmp;
    private static byte[] original;

    @BeforeAll
    static void module() throws IOException {
        Path root = Corpus.cloud();
        original = Files.readAllBytes(root.resolve("lib/modules").resolve(Corpus.version(root))
                .resolve("kernel/drivers/net/dummy.ko"));
    }

    private static Path forced(String name, boolean versions, boolean vermagic) throws Exception {
        ByteBuffer image = ByteBuffer.wrap(original.clone());
        ForcedImage.strip(image, name, versions, vermagic);
        Path file = tmp.resolve(name);
        Files.write(file, image.array());
        return file;
    }

    private static String run(String... command) {
        Processes.Result r = Processes.run(List.of(command));
        assertEquals(0, r.status(), String.join(" ", command) + ": " + r.stderrText());
        return r.stdoutText();
    }

    @Test
    void versionsLoseTheirAllocFlagOnly() throws Exception {
        Path file = forced("versions.ko", true, false);
        String before = sections(tmp.resolve(writeOriginal()));
        String after = sections(file);
        assertEquals(before.replaceAll("(__versions +PROGBITS .*) A ", "$1   "), after);
        assertEquals(1, changedBytes(file), "one byte of sh_flags");
        assertTrue(run("modinfo", "-F", "vermagic", file.toString()).startsWith("6.1.0"));
    }

    @Test
    void vermagicBecomesNulsAndNothingElseChanges() throws Exception {
        Path file = forced("vermagic.ko", false, true);
        assertEquals("", run("modinfo", "-F", "vermagic", file.toString()));
        String vermagic = run("modinfo", "-F", "vermagic", tmp.resolve(writeOriginal()).toString());
        assertEquals(("vermagic=" + vermagic).length() - 1, changedBytes(file), "the string without its newline");
        assertEquals(sections(tmp.resolve(writeOriginal())), sections(file));
        String fields = run("modinfo", tmp.resolve(writeOriginal()).toString());
        assertEquals(fields.replaceAll("(?m)^vermagic:.*\n", "").replace("original.ko", "vermagic.ko"),
                run("modinfo", file.toString()));
    }

    @Test
    void bothTogether() throws Exception {
        Path file = forced("both.ko", true, true);
        assertEquals("", run("modinfo", "-F", "vermagic", file.toString()));
        assertEquals(sections(forced("versions-only.ko", true, false)), sections(file));
    }

    @Test
    void notElfIsRefused() {
        ByteBuffer text = ByteBuffer.wrap("plain text, not an object at all".getBytes(StandardCharsets.US_ASCII));
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ForcedImage.strip(text, "t", true, true));
        assertTrue(e.isNotElf());
    }

    private static String writeOriginal() throws IOException {
        Path file = tmp.resolve("original.ko");
        if (!Files.exists(file)) {
            Files.write(file, original);
        }
        return "original.ko";
    }

    private static String sections(Path file) {
        return run("readelf", "-S", "-W", file.toString()).replace(file.toString(), "FILE");
    }

    private static int changedBytes(Path file) throws IOException {
        byte[] now = Files.readAllBytes(file);
        assertEquals(original.length, now.length);
        int changed = 0;
        for (int i = 0; i < now.length; i++) {
            if (now[i] != original[i]) {
                changed++;
            }
        }
        return changed;
    }
}

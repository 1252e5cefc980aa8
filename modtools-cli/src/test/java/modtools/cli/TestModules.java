package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import modtools.deps.KmodLevel;
import modtools.testkit.Processes;

/**
 * Minimal kernel-module objects compiled by gcc: one exported function, optionally one import;
 * and compressed modules their decoder rejects.
 */
public final class TestModules {
    private TestModules() {}

    /**
     * {@code garbage.ko.xz} and {@code truncated.ko.xz} in {@code dir}: xz streams liblzma rejects,
     * which kmod 34.2 words before the insert's own error (kmod 30 says nothing):
     * {@code xz: File is corrupt}, {@code xz: Unexpected end of input}.
     */
    public static void writeDamagedXz(Path dir) throws IOException {
        Files.write(dir.resolve("garbage.ko.xz"), new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5, 6, 7,
                8, 9});
        Path text = Files.writeString(dir.resolve("truncated"), "a module's worth of text\n".repeat(40));
        byte[] xz = Processes.run(List.of("xz", "-c", text.toString())).stdout();
        Files.write(dir.resolve("truncated.ko.xz"), java.util.Arrays.copyOf(xz, xz.length / 2));
    }

    /**
     * {@code ko} compressed by zstd into {@code out} without the content size in the frame header
     * (what zstd writes when it compresses a pipe): kmod 30 streams it, kmod 34.2 refuses it with
     * {@code zstd: Failed to determine decompression size}.
     */
    public static Path writeUnsizedZstd(Path ko, Path out) throws IOException {
        Processes.Result r = Processes.run(List.of("zstd", "-q", "-f", "--no-content-size", "-o", out.toString(),
                ko.toString()));
        assertEquals(0, r.status(), "zstd: " + r.stderrText());
        return out;
    }

    /**
     * {@code ko} as zstd files in {@code dir} that kmod 30 (streaming) and kmod 34.2 (one call)
     * read differently, named for what was done: cut inside the frame header, in the middle and
     * before the last byte or the checksum; followed by {@code other}'s frame, by an empty frame,
     * by garbage, by a skippable frame (whole or cut); split into two frames; after a skippable
     * frame; and whole. The paths, in that order.
     */
    public static List<String> writeOddZstd(Path ko, Path other, Path dir) throws IOException {
        byte[] module = zstd(Files.readAllBytes(ko), dir);
        byte[] plain = Files.readAllBytes(ko);
        byte[] skippable = {0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3};
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("cut-header", Arrays.copyOf(module, 6));
        files.put("cut-after-header", Arrays.copyOf(module, 9));
        files.put("cut-middle", Arrays.copyOf(module, module.length / 2));
        files.put("cut-last-byte", Arrays.copyOf(module, module.length - 1));
        files.put("cut-checksum", Arrays.copyOf(module, module.length - 4));
        files.put("another-module-after", concat(module, zstd(Files.readAllBytes(other), dir)));
        files.put("empty-frame-after", concat(module, zstd(new byte[0], dir)));
        files.put("split-in-two-frames", concat(zstd(Arrays.copyOf(plain, plain.length / 2), dir),
                zstd(Arrays.copyOfRange(plain, plain.length / 2, plain.length), dir)));
        files.put("garbage-after", concat(module, "garbage\n".getBytes(StandardCharsets.US_ASCII)));
        files.put("two-bytes-after", concat(module, new byte[] {'a', 'b'}));
        files.put("skippable-after", concat(module, skippable));
        files.put("cut-skippable-after", concat(module, Arrays.copyOf(skippable, 9)));
        files.put("skippable-before", concat(skippable, module));
        files.put("whole", module);
        List<String> paths = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            paths.add(Files.write(dir.resolve(f.getKey() + ".ko.zst"), f.getValue()).toString());
        }
        return paths;
    }

    /** {@code bytes} in one zstd frame that records their size and a checksum, as zstd writes a file. */
    private static byte[] zstd(byte[] bytes, Path dir) throws IOException {
        Path in = Files.write(Files.createTempFile(dir, "zstd", ".in"), bytes);
        Processes.Result r = Processes.run(List.of("zstd", "-q", "-c", in.toString()));
        assertEquals(0, r.status(), "zstd: " + r.stderrText());
        Files.delete(in);
        return r.stdout();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * A module tree under {@code root}, release 1.0, of {@link #writeDamagedXz}'s two modules,
     * indexed by kmod's depmod (which lists them though it cannot read them).
     */
    public static Path damagedTree(Path root) throws IOException {
        writeDamagedXz(Files.createDirectories(root.resolve("lib/modules/1.0/kernel")));
        Processes.run(Reference.command(KmodLevel.KMOD30, "depmod", List.of("-b", root.toString(), "1.0")));
        return root;
    }

    /**
     * Compiles {@code NAME.ko} into {@code dir}: it exports {@code export} and calls {@code imported} when given;
     * {@code modinfo} are further {@code key=value} entries of its .modinfo, in order.
     */
    static Path compile(Path dir, String name, String export, String imported, String... modinfo) throws IOException {
        String body = imported == null ? "return 1;" : "return " + imported + "() + 1;";
        StringBuilder source = new StringBuilder()
                .append(imported == null ? "" : "extern int " + imported + "(void);\n")
                .append("int ").append(export).append("(void) { ").append(body).append(" }\n")
                .append("static const char kstrtab[] __attribute__((section(\"__ksymtab_strings\"), used)) = \"")
                .append(export).append("\";\n");
        List<String> entries = new ArrayList<>(List.of("name=" + name, "license=GPL"));
        entries.addAll(List.of(modinfo));
        for (int i = 0; i < entries.size(); i++) {
            source.append("static const char info").append(i)
                    .append("[] __attribute__((section(\".modinfo\"), used, aligned(1))) = \"")
                    .append(entries.get(i)).append("\";\n");
        }
        Path c = Files.writeString(dir.resolve(name + ".c"), source.toString());
        Path ko = dir.resolve(name + ".ko");
        Processes.Result r = Processes.run(List.of("gcc", "-c", "-O2", "-fno-pic", "-o", ko.toString(), c.toString()));
        assertEquals(0, r.status(), "gcc: " + r.stderrText());
        Files.delete(c);
        return ko;
    }
}

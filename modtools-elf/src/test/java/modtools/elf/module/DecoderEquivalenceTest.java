package modtools.elf.module;

import static modtools.elf.module.ModuleTestSupport.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.CRC32;
import modtools.testkit.Corpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C libraries (liblzma, libzstd through JNA) and the pure-Java decoders give the same bytes
 * for every compressed module of the real trees, and the same one line for damaged files. The
 * libraries must be present here: Debian has them wherever kmod is installed.
 */
class DecoderEquivalenceTest {
    @TempDir
    Path dir;

    @Test
    void theLibrariesAreLoaded() {
        assertTrue(Liblzma.AVAILABLE, Liblzma.LIBRARY + " loads");
        assertTrue(Libzstd.AVAILABLE, Libzstd.LIBRARY + " loads");
    }

    @Test
    void cloudTreeRecompressedDecodesAlike() throws IOException {
        sameBytesForEvery(Corpus.cloud("xz"), ".ko.xz");
        sameBytesForEvery(Corpus.cloud("zst"), ".ko.zst");
    }

    @Test
    void debian13TreeDecodesAlike() throws IOException {
        sameBytesForEvery(Corpus.trixie(), ".ko.xz");
        sameBytesForEvery(Corpus.trixie("zst"), ".ko.zst");
    }

    private static void sameBytesForEvery(Path root, String suffix) throws IOException {
        List<String> modules = Corpus.modules(root, suffix);
        assertTrue(modules.size() > 1000, root + " holds the tree's modules");
        ConcurrentLinkedQueue<String> differing = new ConcurrentLinkedQueue<>();
        modules.parallelStream().forEach(m -> {
            if (!outcome(Path.of(m), DecoderChoice.NATIVE).equals(outcome(Path.of(m), DecoderChoice.JAVA))) {
                differing.add(m);
            }
        });
        assertEquals(List.of(), List.copyOf(differing), "modules the two decoders read differently");
    }

    @Test
    void damagedFilesFailWithTheSameLine() throws IOException {
        byte[] plain = Files.readAllBytes(ModuleTestSupport.corpusModules().stream()
                .filter(p -> p.getFileName().toString().equals("virtio_net.ko")).findFirst().orElseThrow());
        Map<String, byte[]> streams = new LinkedHashMap<>();
        streams.put("xz", compressed(plain, "xz --check=crc32 --lzma2=dict=1MiB -c"));
        streams.put("xz-blocks", compressed(plain, "xz --check=crc32 --block-size=32KiB -T2 -c"));
        streams.put("xz-crc64", compressed(plain, "xz --check=crc64 -c"));
        streams.put("xz-sha256", compressed(plain, "xz --check=sha256 -c"));
        streams.put("zst", compressed(plain, "zstd -q -c"));
        streams.put("zst-check", compressed(plain, "zstd -q --check -c"));
        List<String> mismatches = new ArrayList<>();
        int failures = 0;
        for (Map.Entry<String, byte[]> s : streams.entrySet()) {
            for (Map.Entry<String, byte[]> d : damaged(s.getValue()).entrySet()) {
                Path file = dir.resolve(d.getKey() + "." + s.getKey());
                Files.write(file, d.getValue());
                String nativeOutcome = outcome(file, DecoderChoice.NATIVE);
                String javaOutcome = outcome(file, DecoderChoice.JAVA);
                if (!nativeOutcome.equals(javaOutcome)) {
                    mismatches.add(file.getFileName() + ": native " + nativeOutcome + ", java " + javaOutcome);
                }
                failures += nativeOutcome.startsWith("error ") ? 1 : 0;
            }
        }
        assertEquals(List.of(), mismatches);
        assertTrue(failures > 20, "most damage is detected: " + failures);
    }

    /**
     * Which zstd files kmod 34.2 refuses for want of a content size: our reading of the first
     * frame header agrees with libzstd's ZSTD_getFrameContentSize (what kmod asks) on every
     * damaged stream, on streams written without the size, and after a skippable frame; and
     * where it refuses, both decoders give the one line kmod 34.2 logs.
     */
    @Test
    void unsizedZstdIsJudgedAsLibzstdJudgesIt() throws IOException {
        byte[] plain = Files.readAllBytes(ModuleTestSupport.corpusModules().get(0));
        Map<String, byte[]> streams = new LinkedHashMap<>();
        streams.put("sized", compressed(plain, "zstd -q -c"));
        streams.put("unsized", compressed(plain, "zstd -q --no-content-size -c"));
        streams.put("single-segment", compressed(Arrays.copyOf(plain, 4096), "zstd -q -c"));
        byte[] skippable = {0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7};
        streams.put("after-skippable", concat(skippable, streams.get("sized")));
        List<String> mismatches = new ArrayList<>();
        int refused = 0;
        for (Map.Entry<String, byte[]> s : streams.entrySet()) {
            Map<String, byte[]> files = damaged(s.getValue());
            files.put("whole", s.getValue());
            for (Map.Entry<String, byte[]> d : files.entrySet()) {
                String name = d.getKey() + "." + s.getKey() + ".zst";
                ByteBuffer bytes = ByteBuffer.allocateDirect(d.getValue().length).put(d.getValue()).flip();
                long size = Libzstd.ZSTD_getFrameContentSize(bytes, bytes.remaining());
                boolean libzstd = size != 0 && size != Libzstd.CONTENTSIZE_UNKNOWN && size != Libzstd.CONTENTSIZE_ERROR;
                if ((ZstdFrames.usableContentSize(bytes) != 0) != libzstd) {
                    mismatches.add(name + ": libzstd gives " + size);
                }
                if (!libzstd && Compression.of(bytes) == Compression.ZSTD) {
                    Path file = dir.resolve(name);
                    Files.write(file, d.getValue());
                    String line = "error " + file + ": zstd: Failed to determine decompression size";
                    for (DecoderChoice choice : List.of(DecoderChoice.NATIVE, DecoderChoice.JAVA)) {
                        String outcome = outcome(file, choice, ZstdReading.ONE_SHOT);
                        if (!outcome.equals(line)) {
                            mismatches.add(name + ": " + choice + " " + outcome);
                        }
                    }
                    refused++;
                }
            }
        }
        assertEquals(List.of(), mismatches);
        assertTrue(refused > 20, "files refused: " + refused);
        assertTrue(outcome(dir.resolve("whole.unsized.zst"), DecoderChoice.JAVA, ZstdReading.STREAM)
                .equals(outcome(dir.resolve("whole.unsized.zst"), DecoderChoice.NATIVE, ZstdReading.STREAM)));
        assertTrue(outcome(dir.resolve("whole.unsized.zst"), DecoderChoice.NATIVE, ZstdReading.STREAM)
                .startsWith("bytes " + plain.length + " "));
    }

    /**
     * zstd decoded in one call, as kmod 34.2 does: libzstd's ZSTD_decompress and the Java walk
     * give the same bytes or the same line for every cut, a damaged frame descriptor, a wrong
     * second magic and garbage after; for several frames (a module split in two, two modules,
     * an empty frame after), for skippable frames after the module, whole or cut, and for a
     * frame without a checksum. Bytes flipped inside a frame are left out: there libzstd may
     * find its buffer full or the checksum wrong where aircompressor finds the data corrupt.
     */
    @Test
    void oneShotZstdDecodesAlike() throws IOException {
        byte[] plain = Files.readAllBytes(ModuleTestSupport.corpusModules().get(0));
        byte[] other = Files.readAllBytes(ModuleTestSupport.corpusModules().get(1));
        byte[] sized = compressed(plain, "zstd -q -c");
        byte[] half = Arrays.copyOf(plain, plain.length / 2);
        byte[] rest = Arrays.copyOfRange(plain, half.length, plain.length);
        Map<String, byte[]> streams = new LinkedHashMap<>();
        streams.put("sized", sized);
        streams.put("no-check", compressed(plain, "zstd -q --no-check -c"));
        streams.put("blocks", compressed(plain, "zstd -q -1 --zstd=wlog=10 -c"));
        streams.put("split", concat(compressed(half, "zstd -q -c"), compressed(rest, "zstd -q -c")));
        streams.put("two-modules", concat(sized, compressed(other, "zstd -q -c")));
        streams.put("empty-after", concat(sized, compressed(new byte[0], "zstd -q -c")));
        byte[] skippable = {0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7};
        streams.put("skippable-after", concat(sized, skippable));
        streams.put("cut-skippable-after", concat(sized, Arrays.copyOf(skippable, 9)));
        List<String> mismatches = new ArrayList<>();
        int decoded = 0;
        for (Map.Entry<String, byte[]> s : streams.entrySet()) {
            Map<String, byte[]> files = damaged(s.getValue());
            files.keySet().removeIf(name -> name.startsWith("flip-") && !name.equals("flip-4"));
            files.put("whole", s.getValue());
            for (Map.Entry<String, byte[]> d : files.entrySet()) {
                Path file = dir.resolve(d.getKey() + "." + s.getKey() + ".zst");
                Files.write(file, d.getValue());
                String nativeOutcome = outcome(file, DecoderChoice.NATIVE, ZstdReading.ONE_SHOT);
                String javaOutcome = outcome(file, DecoderChoice.JAVA, ZstdReading.ONE_SHOT);
                if (!nativeOutcome.equals(javaOutcome)) {
                    mismatches.add(file.getFileName() + ": native " + nativeOutcome + ", java " + javaOutcome);
                }
                decoded += nativeOutcome.startsWith("bytes ") ? 1 : 0;
            }
        }
        assertEquals(List.of(), mismatches);
        String module = "bytes " + plain.length + " " + ByteBuffer.wrap(plain).hashCode();
        for (String whole : List.of("sized", "no-check", "blocks", "empty-after", "skippable-after")) {
            assertEquals(module, outcome(dir.resolve("whole." + whole + ".zst"), DecoderChoice.JAVA,
                    ZstdReading.ONE_SHOT), whole);
        }
        assertEquals(5, decoded, "whole streams decoded, damaged ones refused");
    }

    /**
     * Cuts, flipped bytes everywhere (magic, headers, data, checks, trailer), a wrong second
     * magic; in xz streams of one block (decoded on one thread) and of many (on several).
     */
    private static Map<String, byte[]> damaged(byte[] stream) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (int cut : new int[] {7, 12, 13, 40, stream.length / 2, stream.length - 12, stream.length - 4,
                stream.length - 1}) {
            out.put("cut-" + cut, Arrays.copyOf(stream, cut));
        }
        for (int at : new int[] {4, 5, 6, 8, 11, 12, 13, 20, 100, stream.length / 3, stream.length / 2,
                stream.length - 30, stream.length - 13, stream.length - 9, stream.length - 5, stream.length - 3,
                stream.length - 2, stream.length - 1}) {
            byte[] flipped = stream.clone();
            flipped[at] ^= 0x5a;
            out.put("flip-" + at, flipped);
        }
        byte[] second = concat(stream, stream);
        second[stream.length + 1] ^= 1;
        out.put("second-magic", second);
        out.put("garbage-after", concat(stream, "garbage\n".getBytes()));
        return out;
    }

    /**
     * What the Java decoders refuse and the libraries read (as kmod does): a zstd window over
     * 8 MiB, an xz check type that xz reserves. AUTO hands such a file to the library, even a
     * small one; JAVA alone refuses it.
     */
    @Test
    void theLibrariesReadWhatTheJavaDecodersRefuse() throws IOException {
        byte[] plain = Files.readAllBytes(ModuleTestSupport.corpusModules().get(0));
        Path in = dir.resolve("in.ko");
        Files.write(in, plain);
        Path zst = dir.resolve("window.ko.zst");
        ModuleTestSupport.compress(dir, zst, "zstd -q --zstd=wlog=24 -c < '" + in + "'");
        Path xz = dir.resolve("check.ko.xz");
        Files.write(xz, withReservedCheck(compressed(plain, "xz --check=crc32 -c")));
        String expected = "bytes " + plain.length + " " + ByteBuffer.wrap(plain).hashCode();
        for (Path file : List.of(zst, xz)) {
            assertEquals(expected, outcome(file, DecoderChoice.AUTO), file.toString());
            assertEquals(expected, outcome(file, DecoderChoice.NATIVE), file.toString());
            assertTrue(outcome(file, DecoderChoice.JAVA).startsWith("error "), file.toString());
        }
    }

    /** Check ID 2 (reserved, four bytes like CRC32's) in the stream header and footer, their CRCs mended. */
    private static byte[] withReservedCheck(byte[] xz) {
        byte[] out = xz.clone();
        out[7] = 2;
        putCrc(out, 8, out, 6, 2);
        int footer = out.length - 12;
        out[footer + 9] = 2;
        putCrc(out, footer, out, footer + 4, 6);
        return out;
    }

    private static void putCrc(byte[] into, int at, byte[] of, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(of, from, length);
        ByteBuffer.wrap(into, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    }

    /** "bytes N HASH" for a decoded module, "error LINE" for a refused one. */
    private static String outcome(Path file, DecoderChoice choice) {
        return outcome(file, choice, ZstdReading.STREAM);
    }

    private static String outcome(Path file, DecoderChoice choice, ZstdReading unsized) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            if (Compression.of(mapped) == Compression.NONE) {
                return "not compressed";
            }
            ByteBuffer decoded = Decompression.decode(Compression.of(mapped),
                    new CompressedFile(file.toString(), mapped, channel), ModuleFile.MAX_DECOMPRESSED_SIZE, choice,
                    unsized, DecodedMemory.COLLECTED);
            return "bytes " + decoded.remaining() + " " + decoded.hashCode();
        } catch (ModuleLoadException e) {
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            return "error " + e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(file + ": " + e, e);
        }
    }

    private byte[] compressed(byte[] data, String command) throws IOException {
        Path in = dir.resolve("in.ko");
        Path out = dir.resolve("out");
        Files.write(in, data);
        ModuleTestSupport.compress(dir, out, command + " '" + in + "'");
        return Files.readAllBytes(out);
    }
}

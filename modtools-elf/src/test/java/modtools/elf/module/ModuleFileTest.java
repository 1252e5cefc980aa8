package modtools.elf.module;

import static modtools.elf.module.ModuleTestSupport.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleFileTest {
    private static final byte[] SIG_MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void recompressedCorpusModulesDecompressToThePlainBytes() throws Exception {
        String xz = ModuleTestSupport.tool("xz", "xz-utils");
        String zstd = ModuleTestSupport.tool("zstd", "zstd");
        String gzip = ModuleTestSupport.tool("gzip", "gzip");
        for (Path module : sample()) {
            byte[] plain = Files.readAllBytes(module);
            String name = module.getFileName().toString();
            Map<Path, String[]> variants = new LinkedHashMap<>();
            variants.put(dir.resolve(name + ".xz"), new String[] {xz, "--check=crc32", "--lzma2=dict=1MiB", "-c"});
            variants.put(dir.resolve(name + ".zst"), new String[] {zstd, "-q", "-c"});
            variants.put(dir.resolve(name + ".gz"), new String[] {gzip, "-n", "-c"});
            for (Map.Entry<Path, String[]> v : variants.entrySet()) {
                ModuleTestSupport.compress(dir, v.getKey(), append(v.getValue(), "'" + module + "'"));
                ElfFile elf = ModuleFile.open(v.getKey(), ZstdReading.STREAM);
                assertEquals(v.getKey().toString(), elf.file());
                assertArrayEquals(plain, bytes(elf.bytes().asBuffer()), v.getKey().toString());
            }
            ByteBuffer mapped = ModuleFile.contents(module, ZstdReading.STREAM);
            assertTrue(mapped.isDirect() && mapped.isReadOnly(), "a plain module is mapped, not copied");
            assertArrayEquals(plain, bytes(mapped));
        }
    }

    /**
     * depmod reads each plain module into one buffer, largest first, loading only the ranges the
     * ELF reader asks for: whatever is read from a module must be that module's bytes, never those
     * an earlier, larger module left in the buffer. Every corpus module, then truncated copies of
     * a few (where the reader fails part way through), must give what the mapped file gives.
     */
    @Test
    void modulesReadPieceByPieceIntoOneBufferGiveWhatTheirMappingsGive() throws Exception {
        List<Path> modules = new ArrayList<>(ModuleTestSupport.corpusModules());
        modules.sort(Comparator.comparingLong(ModuleFileTest::size).reversed());
        for (Path module : sample()) {
            byte[] plain = Files.readAllBytes(module);
            for (int cut = 1; cut <= 16; cut++) {
                Path truncated = dir.resolve(cut + "-" + module.getFileName());
                Files.write(truncated, Arrays.copyOf(plain, (int) ((long) plain.length * cut / 17)));
                modules.add(truncated);
            }
        }
        try (ReadBuffer buffer = new ReadBuffer()) {
            for (Path module : modules) {
                String partial;
                try (ModuleImage image = ModuleFile.image(module, ZstdReading.STREAM, buffer)) {
                    partial = facts(image);
                }
                try (ModuleImage image = ModuleFile.readImage(module, ZstdReading.STREAM)) {
                    assertTrue(facts(image).equals(partial), module + ": read piece by piece, not as mapped");
                }
            }
        }
    }

    /** Everything depmod and modinfo take from a module, or the reader's complaint. */
    private static String facts(ModuleImage image) {
        try {
            KernelModule module = KernelModule.of(image.elf());
            return module.linkage() + "\n" + module.modinfo() + "\n" + module.versions() + "\n"
                    + image.elf().sections();
        } catch (ElfFormatException e) {
            return e.getMessage();
        }
    }

    /** The smallest, a middling and the largest corpus modules: one zstd block up to several, xz past its dictionary. */
    private static List<Path> sample() throws IOException {
        List<Path> bySize = new ArrayList<>(ModuleTestSupport.corpusModules());
        bySize.sort(Comparator.comparingLong(ModuleFileTest::size));
        return List.of(bySize.get(0), bySize.get(bySize.size() / 2), bySize.get(bySize.size() - 1));
    }

    @Test
    void concatenatedStreamsAndHarmlessTrailersDecodeLikeKmod() throws Exception {
        Path module = sample().get(1);
        byte[] plain = Files.readAllBytes(module);
        byte[] half1 = Arrays.copyOf(plain, plain.length / 2);
        byte[] half2 = Arrays.copyOfRange(plain, plain.length / 2, plain.length);
        byte[] zst = concat(zstd(half1), zstd(half2));
        byte[] xz = concat(xz(half1), xz(half2));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("two-frames.ko.zst", zst);
        files.put("two-streams.ko.xz", xz);
        files.put("padded.ko.xz", concat(xz, new byte[8]));
        files.put("magic-prefix-after.ko.zst", concat(zst, new byte[] {0x28, (byte) 0xb5}));
        files.put("skippable-after.ko.zst", concat(zst, skippable(16, 5)));
        files.put("cut-skippable-after.ko.zst", concat(zst, Arrays.copyOf(skippable(16, 16), 11)));
        files.put("cut-checksum.ko.zst", Arrays.copyOf(zstd(plain), zstd(plain).length - 2));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = dir.resolve(f.getKey());
            Files.write(file, f.getValue());
            assertArrayEquals(plain, bytes(ModuleFile.contents(file, ZstdReading.STREAM)), f.getKey());
            assertEquals("ok", ModuleTestSupport.modinfoOutcome(file), f.getKey() + " with modinfo");
        }
    }

    /**
     * libzstd streams a raw block out byte by byte, so a zstd file cut inside one yields the
     * module up to the cut. Here the cut lands right after a signature trailer placed inside
     * incompressible data, so modinfo shows that signature; we must too.
     */
    @Test
    void zstdCutInsideARawBlockYieldsTheBytesBeforeTheCut() throws Exception {
        byte[] base = Files.readAllBytes(sample().get(0));
        byte[] noise = new byte[300_000];
        new Random(5).nextBytes(noise);
        byte[] trailer = concat("SIGNER".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 2}, new byte[10],
                new byte[] {0, 4, 0, 6, 2, 0, 0, 0, 0, 0, 0, 10}, SIG_MAGIC);
        int trailerEnd = base.length + 200_000;
        byte[] content = concat(base, noise);
        System.arraycopy(trailer, 0, content, trailerEnd - trailer.length, trailer.length);
        byte[] compressed = zstd(content);
        int cut = indexOf(compressed, trailer) + trailer.length;
        assertTrue(cut > trailer.length, "the trailer is stored verbatim in a raw block");
        Path file = dir.resolve("cut-raw.ko.zst");
        Files.write(file, Arrays.copyOf(compressed, cut));

        ElfFile elf = ModuleFile.open(file, ZstdReading.STREAM);
        assertArrayEquals(Arrays.copyOf(content, trailerEnd), bytes(elf.bytes().asBuffer()));
        ModuleSignature signature = ModuleSignature.read(elf.bytes()).orElseThrow();
        Map<String, String> modinfo = ModuleTestSupport.modinfo(List.of(file)).get(file.toString());
        assertEquals(modinfo.get("sig_id"), signature.idType());
        assertEquals(modinfo.get("signer"), signature.signer());
        assertEquals(modinfo.get("sig_key"), ModuleSignature.formatHex(signature.keyId()));
        assertEquals(modinfo.get("signature"), ModuleSignature.formatHex(signature.signature()));
    }

    /** Each damaged file must fail the way modinfo fails on it, and only with our two exception types. */
    @Test
    void damagedFilesFailLikeModinfo() throws Exception {
        Path module = sample().get(1);
        byte[] plain = Files.readAllBytes(module);
        byte[] xz = xz(plain);
        byte[] zst = zstd(plain);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("empty.ko", new byte[0]);
        files.put("five-bytes.ko", new byte[] {0x7f, 'E', 'L', 'F', 2});
        files.put("six-bytes.ko", new byte[] {0x7f, 'E', 'L', 'F', 2, 1});
        files.put("xz-magic-only.ko.xz", Arrays.copyOf(xz, 6));
        files.put("cut.ko.xz", Arrays.copyOf(xz, xz.length * 2 / 3));
        files.put("cut-index.ko.xz", Arrays.copyOf(xz, xz.length - 3));
        files.put("corrupt.ko.xz", corrupt(xz, xz.length / 2));
        files.put("garbage-after.ko.xz", concat(xz, "garbage\n".getBytes(StandardCharsets.US_ASCII)));
        files.put("odd-padding.ko.xz", concat(xz, new byte[3]));
        files.put("zstd-magic-only.ko.zst", Arrays.copyOf(zst, 6));
        files.put("cut-block.ko.zst", Arrays.copyOf(zst, zst.length - 100));
        files.put("cut-early.ko.zst", Arrays.copyOf(zst, zst.length / 3));
        files.put("corrupt.ko.zst", corrupt(zst, zst.length / 2));
        files.put("garbage-after.ko.zst", concat(zst, "garbage\n".getBytes(StandardCharsets.US_ASCII)));
        files.put("two-bytes-after.ko.zst", concat(zst, new byte[] {'a', 'b'}));
        files.put("skippable-first.ko.zst", concat(skippable(3, 3), zst));
        files.put("wrong-content-size.ko.zst", withContentSize(zst, plain.length + 1));
        files.put("reserved-bit.ko.zst", withDescriptorBit(zst, 0x08));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = dir.resolve(f.getKey());
            Files.write(file, f.getValue());
            assertEquals(ModuleTestSupport.modinfoOutcome(file), outcome(file), f.getKey());
        }
    }

    /** Our counterpart of modinfo's verdict: libkmod's errno text, or "ok". */
    private static String outcome(Path file) {
        try {
            ModuleFile.open(file, ZstdReading.STREAM);
            return "ok";
        } catch (ModuleLoadException e) {
            assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().lines().count() == 1, e.getMessage());
            return "Invalid argument";
        } catch (ElfFormatException e) {
            return e.isNotElf() ? "Exec format error" : "Invalid argument";
        } catch (IOException e) {
            throw new AssertionError("unexpected " + e, e);
        }
    }

    @Test
    void damagedGzipFailsCleanly() throws Exception {
        byte[] gz = gzip(Files.readAllBytes(sample().get(0)));
        for (byte[] damaged : List.of(Arrays.copyOf(gz, gz.length / 2), Arrays.copyOf(gz, gz.length - 4),
                corrupt(gz, gz.length / 2), Arrays.copyOf(gz, 6))) {
            Path file = dir.resolve("damaged.ko.gz");
            Files.write(file, damaged);
            ModuleLoadException e = assertThrows(ModuleLoadException.class, () -> ModuleFile.contents(file, ZstdReading.STREAM));
            assertTrue(e.getMessage().startsWith(file + ": gzip: "), e.getMessage());
        }
    }

    @Test
    void randomlyDamagedStreamsOnlyEverFailCleanly() throws Exception {
        byte[] plain = Files.readAllBytes(sample().get(0));
        Random random = new Random(13);
        for (byte[] stream : List.of(zstd(plain), xz(plain), gzip(plain))) {
            for (int i = 0; i < 150; i++) {
                byte[] damaged = stream.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    int at = 6 + random.nextInt(damaged.length - 6);
                    damaged[at] = (byte) random.nextInt(256);
                }
                Path file = dir.resolve("fuzz.ko");
                Files.write(file, damaged);
                try {
                    ModuleFile.open(file, ZstdReading.STREAM);
                } catch (ModuleLoadException | ElfFormatException expected) {
                    // the only two ways a damaged module may fail
                }
            }
        }
    }

    @Test
    void compressionIsToldByMagicNotName() throws Exception {
        assertEquals(Compression.ZSTD, Compression.of(ByteBuffer.wrap(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0})));
        assertEquals(Compression.XZ, Compression.of(ByteBuffer.wrap(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})));
        assertEquals(Compression.GZIP, Compression.of(ByteBuffer.wrap(new byte[] {0x1f, (byte) 0x8b, 8})));
        assertEquals(Compression.NONE, Compression.of(ByteBuffer.wrap(new byte[] {0x7f, 'E', 'L', 'F'})));
        assertEquals(Compression.NONE, Compression.of(ByteBuffer.wrap(new byte[] {(byte) 0xfd, '7', 'z'})));
        Path module = sample().get(0);
        Path misnamed = dir.resolve("plain.ko.xz");
        Files.copy(module, misnamed);
        assertArrayEquals(Files.readAllBytes(module), bytes(ModuleFile.contents(misnamed, ZstdReading.STREAM)));
    }

    @Test
    void moduleExtensionsAndNamesFollowKmod() {
        for (String name : List.of("a.ko", "a.ko.xz", "a.ko.zst", "a.ko.gz", "/x/y/snd-hda.ko", "..ko")) {
            assertTrue(ModuleFile.hasModuleExtension(name), name);
        }
        for (String name : List.of(".ko", ".ko.xz", "a.o", "a.kox", "a.ko.bz2", "a.KO", "ko")) {
            assertFalse(ModuleFile.hasModuleExtension(name), name);
        }
        assertEquals(Optional.of("snd_hda_intel"), ModuleFile.moduleNameOf("/lib/modules/x/snd-hda-intel.ko.xz"));
        assertEquals(Optional.of("foo"), ModuleFile.moduleNameOf("foo.bar.ko"));
        assertEquals(Optional.of("plain"), ModuleFile.moduleNameOf("plain"));
        assertEquals(Optional.of(""), ModuleFile.moduleNameOf("dir/.hidden.ko"));
        assertEquals(Optional.empty(), ModuleFile.moduleNameOf("dir/"));
        assertEquals(Optional.empty(), ModuleFile.moduleNameOf(""));
        assertEquals(4095, ModuleFile.moduleNameOf("x".repeat(5000)).orElseThrow().length());
    }

    // ---------------------------------------------------------------- making and damaging streams

    private byte[] zstd(byte[] data) throws IOException {
        return viaTool(data, ModuleTestSupport.tool("zstd", "zstd"), "-q", "-c");
    }

    private byte[] xz(byte[] data) throws IOException {
        return viaTool(data, ModuleTestSupport.tool("xz", "xz-utils"), "--check=crc32", "--lzma2=dict=1MiB", "-c");
    }

    private byte[] gzip(byte[] data) throws IOException {
        return viaTool(data, ModuleTestSupport.tool("gzip", "gzip"), "-n", "-c");
    }

    private byte[] viaTool(byte[] data, String... command) throws IOException {
        Path in = Files.createTempFile(dir, "in", ".bin");
        Path out = Files.createTempFile(dir, "out", ".bin");
        Files.write(in, data);
        ModuleTestSupport.compress(dir, out, append(command, "'" + in + "'"));
        byte[] result = Files.readAllBytes(out);
        Files.delete(in);
        Files.delete(out);
        return result;
    }

    private static byte[] skippable(int declared, int present) {
        ByteBuffer frame = ByteBuffer.allocate(8 + present).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(0x184d2a53).putInt(declared);
        return frame.array();
    }

    private static byte[] corrupt(byte[] data, int at) {
        byte[] copy = data.clone();
        for (int i = at; i < at + 4; i++) {
            copy[i] = (byte) 0xff;
        }
        return copy;
    }

    /** The frame's content size field rewritten; the frame must declare one. */
    private static byte[] withContentSize(byte[] zst, long size) {
        int descriptor = zst[4] & 0xff;
        boolean singleSegment = (descriptor & 0x20) != 0;
        int fieldSize = new int[] {singleSegment ? 1 : 0, 2, 4, 8}[descriptor >>> 6];
        assertTrue(fieldSize > 0, "the frame declares its content size");
        int at = 5 + (singleSegment ? 0 : 1) + new int[] {0, 1, 2, 4}[descriptor & 3];
        long value = fieldSize == 2 ? size - 256 : size;
        byte[] copy = zst.clone();
        for (int i = 0; i < fieldSize; i++) {
            copy[at + i] = (byte) (value >>> (8 * i));
        }
        return copy;
    }

    private static byte[] withDescriptorBit(byte[] zst, int bit) {
        byte[] copy = zst.clone();
        copy[4] |= (byte) bit;
        return copy;
    }

    private static String[] append(String[] command, String last) {
        String[] all = Arrays.copyOf(command, command.length + 1);
        all[command.length] = last;
        return all;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}

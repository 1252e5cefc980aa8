package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import modtools.deps.KmodLevel;
import modtools.elf.module.DecoderChoice;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import modtools.testkit.Served;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * modinfo against kmod's modinfo at each level (kmod 30, or kmod 34.2 at level 34) on every
 * module of Debian 12's cloud tree (Debian 13's tree: {@link Debian13DifferentialTest}): the same
 * arguments to both, stdout, stderr and exit status compared byte for byte.
 */
class ModinfoDifferentialTest {
    private static Path plain;
    private static List<String> plainModules;

    @BeforeAll
    static void corpus() throws IOException {
        plain = Corpus.cloud();
        plainModules = Corpus.modules(plain, ".ko");
        assertTrue(plainModules.size() > 1000, "expected the whole cloud tree, found " + plainModules.size());
    }

    static void assertSameAsKmod(KmodLevel level, List<String> args) {
        Processes.Result kmod = Processes.run(Reference.command(level, "modinfo", args));
        Processes.Result ours = Tool.ours(level, "modinfo", args);
        assertSameOutput(kmod, ours, "modinfo " + describe(args) + " at level " + level.setting());
    }

    /** Each case at both levels. */
    private static Stream<Arguments> atBothLevels(String... cases) {
        return Stream.of(KmodLevel.values()).flatMap(level -> Stream.of(cases).map(c -> Arguments.of(level, c)));
    }

    static void assertSameOutput(Processes.Result kmod, Processes.Result ours, String what) {
        assertSameText(kmod.stdoutText(), ours.stdoutText(), what + " (stdout)");
        assertSameText(kmod.stderrText(), ours.stderrText(), what + " (stderr)");
        assertEquals(kmod.status(), ours.status(), what + " (exit status)");
    }

    /** On a difference, show the first differing line with a little context, not two megabytes. */
    static void assertSameText(String expected, String actual, String what) {
        if (expected.equals(actual)) {
            return;
        }
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "<end>";
            String al = i < a.length ? a[i] : "<end>";
            if (!el.equals(al)) {
                StringBuilder context = new StringBuilder();
                for (int j = Math.max(0, i - 3); j < i; j++) {
                    context.append("    ").append(e[j]).append('\n');
                }
                fail(what + " differs at line " + (i + 1) + ":\n" + context
                        + "  kmod: " + visible(el) + "\n  ours: " + visible(al));
            }
        }
        fail(what + " differs");
    }

    private static String visible(String s) {
        return s.replace("\0", "\\0").replace("\t", "\\t");
    }

    private static String describe(List<String> args) {
        return args.size() <= 6 ? String.join(" ", args) : String.join(" ", args.subList(0, 4)) + " … (" + args.size() + " args)";
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void everyPlainModule(KmodLevel level) {
        assertSameAsKmod(level, plainModules);
    }

    private static Stream<Arguments> compressions() {
        return atBothLevels("xz", "zst");
    }

    @ParameterizedTest
    @MethodSource("compressions")
    void everyCompressedModule(KmodLevel level, String kind) throws IOException {
        List<String> modules = Corpus.modules(Corpus.cloud(kind), ".ko." + kind);
        assertEquals(plainModules.size(), modules.size());
        assertSameAsKmod(level, modules);
    }

    /** Debian's kmods have no zlib: our .gz output must be kmod's .xz output with only the names changed. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void everyGzipModuleMatchesKmodOnTheSameModuleInXz(KmodLevel level) throws IOException {
        Path xz = Corpus.cloud("xz");
        Path gz = Corpus.cloud("gz");
        List<String> xzModules = Corpus.modules(xz, ".ko.xz");
        List<String> gzModules = Corpus.modules(gz, ".ko.gz");
        Processes.Result kmod = Processes.run(Reference.command(level, "modinfo", xzModules));
        String expected = kmod.stdoutText().replace(xz.toString(), gz.toString()).replace(".ko.xz\n", ".ko.gz\n");
        Processes.Result ours = Tool.ours(level, "modinfo", gzModules);
        assertSameText(expected, ours.stdoutText(), "modinfo of .ko.gz vs kmod on .ko.xz");
        assertEquals("", ours.stderrText());
        assertEquals(kmod.status(), ours.status());
    }

    /**
     * The difference the README keeps on purpose, both sides of it: Debian's kmods, built
     * without zlib, take a .ko.gz path for no module at all, and ours read it as kmod reads the
     * same module in xz. Should the reference ever read it, this fails and the README is wrong.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void gzipPathIsNoModuleToKmodAndReadByUs(KmodLevel level, @TempDir Path dir) throws IOException {
        Path ko = TestModules.compile(dir, "gzipped", "gzipped_func", null, "alias=gzipped-alias");
        for (String tool : List.of("gzip", "xz")) {
            Processes.Result r = Processes.run(List.of(tool, "-k", ko.toString()));
            assertEquals(0, r.status(), tool + ": " + r.stderrText());
        }
        String gz = ko + ".gz";
        Processes.Result kmodGz = Processes.run(Reference.command(level, "modinfo", List.of(gz)));
        assertEquals("modinfo: ERROR: Module " + gz + " not found.\n", kmodGz.stderrText());
        assertEquals(1, kmodGz.status());
        Processes.Result kmodXz = Processes.run(Reference.command(level, "modinfo", List.of(ko + ".xz")));
        Processes.Result ours = Tool.ours(level, "modinfo", List.of(gz));
        assertSameText(kmodXz.stdoutText().replace(ko + ".xz\n", gz + "\n"), ours.stdoutText(), "modinfo of .ko.gz");
        assertEquals("", ours.stderrText());
        assertEquals(0, ours.status());
    }

    private static Stream<Arguments> fieldCases() {
        return atBothLevels("-F alias", "-F depends", "-F parm", "-p", "-a", "-d", "-l", "-n", "-0", "-0 -p",
            "-F signature", "-0 -F signature", "-F signer", "-F sig_key", "-F name", "-F vermagic", "-F ALIAS",
            "-F nonexistent", "--field=firmware", "-0F alias", "--null --parameters", "-F filename");
    }

    @ParameterizedTest
    @MethodSource("fieldCases")
    void fieldsAndSeparatorsOnASample(KmodLevel level, String options) {
        List<String> args = new ArrayList<>(List.of(options.split(" ")));
        for (int i = 0; i < plainModules.size(); i += 23) {
            args.add(plainModules.get(i));
        }
        assertSameAsKmod(level, args);
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void modulesByNameAliasAndBuiltin(KmodLevel level, @TempDir Path base) throws IOException {
        try {
            byNameAliasAndBuiltin(level, base);
        } finally {
            Corpus.removeCopy(base);
        }
    }

    private void byNameAliasAndBuiltin(KmodLevel level, Path base) throws IOException {
        String version = Corpus.version(plain);
        Reference.indexedCopy(plain, version, base);

        List<String> names = new ArrayList<>();
        for (String m : plainModules) {
            String file = Path.of(m).getFileName().toString();
            names.add(file.substring(0, file.length() - 3));
        }
        List<String> args = new ArrayList<>(List.of("-b", base.toString(), "-k", version));
        args.addAll(names);
        assertSameAsKmod(level, args);

        List<String> others = new ArrayList<>(List.of("-b", base.toString(), "-k", version,
                // aliases with wildcards in modules.alias, a symbol alias, built-in modules and their aliases
                "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", "fs-ext4", "net-pf-10", "crypto-sha256",
                "symbol:jbd2_journal_start", "unix", "crc32c_generic", "fs-ramfs", "ext4",
                // names kmod does not find, an unbalanced alias, a missing file, a directory
                "no_such_module", "pci:v[00", base + "/missing.ko", base.toString()));
        assertSameAsKmod(level, others);
        List<String> byName = new ArrayList<>(List.of("-b", base.toString(), "-k", version, "-m", "ext4", "unix", "fs-ext4", "no-such"));
        assertSameAsKmod(level, byName);
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void damagedModules(KmodLevel level, @TempDir Path dir) throws IOException {
        byte[] real = Files.readAllBytes(Path.of(plainModules.get(0)));
        List<String> args = new ArrayList<>();
        write(dir, "empty.ko", new byte[0], args);
        write(dir, "text.ko", "not an object\n".getBytes(), args);
        write(dir, "tiny.ko", java.util.Arrays.copyOf(real, 16), args);
        write(dir, "header-only.ko", java.util.Arrays.copyOf(real, 64), args);
        write(dir, "half.ko", java.util.Arrays.copyOf(real, real.length / 2), args);
        // kmod 34.2 names the decoder's complaint first (libkmod: ERROR: xz_uncompress_belch: xz: File is corrupt)
        write(dir, "bad-xz.ko.xz", "\u00fd7zXZ\0garbage".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), args);
        byte[] garbage = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        write(dir, "garbage.ko.xz", garbage, args);
        write(dir, "with-dash.ko", real, args);
        assertSameAsKmod(level, args);
    }

    /**
     * A .ko.zst whose frame header gives no content size, after one that gives it: kmod 30 reads
     * both, kmod 34.2 refuses the second (its libkmod line, then EINVAL).
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void zstdWithoutContentSize(KmodLevel level, @TempDir Path dir) throws IOException {
        Path real = Path.of(plainModules.get(0));
        Path sized = dir.resolve("sized.ko.zst");
        Processes.Result zstd = Processes.run(List.of("zstd", "-q", "-o", sized.toString(), real.toString()));
        assertEquals(0, zstd.status(), zstd.stderrText());
        Path unsized = TestModules.writeUnsizedZstd(real, dir.resolve("unsized.ko.zst"));
        assertSameAsKmod(level, List.of(sized.toString(), unsized.toString()));
    }

    /**
     * zstd modules cut short, in several frames, with garbage or skippable frames around them
     * ({@link TestModules#writeOddZstd}): kmod 30 streams them, kmod 34.2 decodes each in one
     * call and refuses all but the whole ones in libzstd's words. Ours match with each decoder:
     * as this JVM and the shared server choose, and in servers of their own asked for the
     * libraries and for the Java decoders.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void zstdCutOrInSeveralFrames(KmodLevel level, @TempDir Path dir) throws IOException {
        Path ko = TestModules.compile(dir, "oddzstd", "oddzstd_func", null, "alias=oddzstd-alias");
        Path other = TestModules.compile(dir, "otherzstd", "otherzstd_func", null);
        List<String> args = TestModules.writeOddZstd(ko, other, Files.createDirectories(dir.resolve("zst")));
        assertSameAsKmod(level, args);
        Processes.Result kmod = Processes.run(Reference.command(level, "modinfo", args));
        for (String decoders : List.of("native", "java")) {
            try (Served served = Served.start(Map.of(DecoderChoice.VARIABLE, decoders))) {
                assertSameOutput(kmod, served.run(null, "modinfo", args, Map.of(KmodLevel.VARIABLE, level.setting())),
                        "modinfo of cut and multi-frame zstd files with the " + decoders + " decoders at level "
                                + level.setting());
            }
        }
    }

    /** Keys of 15 characters and more: kmod 30 pads the longer ones, kmod 34 does not. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void longKeys(KmodLevel level, @TempDir Path dir) throws IOException {
        Path ko = TestModules.compile(dir, "longkeys", "longkeys_func", null, "fifteen_chars_k=a",
                "sixteen_chars_ke=b", "a_key_of_twenty_chars=c", "x=d");
        assertSameAsKmod(level, List.of(ko.toString()));
        assertSameAsKmod(level, List.of("-0", ko.toString()));
    }

    /**
     * PKCS#7 signatures (as the kernel's sign-file makes them) with digests kmod 30's table
     * knows and does not: kmod 34 names them after OpenSSL (ripemd160, sha3-256), kmod 30 by its
     * table (rmd160) and shows no signature for a digest outside it.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void signatureDigests(KmodLevel level, @TempDir Path dir) throws IOException {
        Path ko = TestModules.compile(dir, "signed", "signed_func", null);
        byte[] content = Files.readAllBytes(ko);
        Processes.Result key = Processes.run(dir, List.of("openssl", "req", "-new", "-x509", "-newkey", "rsa:2048",
                "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "30", "-subj", "/CN=Digest Test",
                "-set_serial", "0x1234"), 60);
        assertEquals(0, key.status(), key.stderrText());
        List<String> args = new ArrayList<>();
        for (String digest : List.of("sha256", "sha1", "sha224", "sha384", "sha512", "md5", "ripemd160", "sha3-256",
                "sha512-256")) {
            Processes.Result sign = Processes.run(dir, List.of("openssl", "cms", "-sign", "-binary", "-noattr",
                    "-nocerts", "-outform", "DER", "-md", digest, "-signer", "cert.pem", "-inkey", "key.pem",
                    "-in", ko.toString(), "-out", digest + ".der"), 60);
            if (sign.status() != 0) {
                continue; // this OpenSSL does not offer the digest
            }
            byte[] der = Files.readAllBytes(dir.resolve(digest + ".der"));
            java.io.ByteArrayOutputStream signed = new java.io.ByteArrayOutputStream();
            signed.write(content);
            signed.write(der);
            // struct module_signature: algo, hash, id_type = PKCS#7, signer and key id lengths, pad, sig_len
            signed.write(new byte[] {0, 0, 2, 0, 0, 0, 0, 0});
            signed.write(java.nio.ByteBuffer.allocate(4).putInt(der.length).array());
            signed.write("~Module signature appended~\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Path file = dir.resolve("signed-" + digest + ".ko");
            Files.write(file, signed.toByteArray());
            args.add(file.toString());
        }
        assertTrue(args.size() >= 5, "OpenSSL signed too few: " + args);
        assertSameAsKmod(level, args);
        List<String> field = new ArrayList<>(List.of("-F", "sig_hashalgo"));
        field.addAll(args);
        assertSameAsKmod(level, field);
    }

    private static void write(Path dir, String name, byte[] bytes, List<String> args) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        args.add(p.toString());
    }

    private static Stream<Arguments> usageCases() {
        return atBothLevels("", "--bogus", "-x", "-F", "--field", "--nul", "--basedir", "-h", "--help=x");
    }

    @ParameterizedTest
    @MethodSource("usageCases")
    void usageErrors(KmodLevel level, String options) {
        List<String> args = options.isEmpty() ? List.of() : List.of(options.split(" "));
        assertSameAsKmod(level, args);
    }
}

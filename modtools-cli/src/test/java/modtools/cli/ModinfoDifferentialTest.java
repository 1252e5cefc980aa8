package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * modinfo against kmod 30's modinfo on every module of a real Debian kernel tree: the same
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

    static void assertSameAsKmod(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("modinfo");
        command.addAll(args);
        Processes.Result kmod = Processes.run(command);
        Processes.Result ours = Tool.ours("modinfo", args);
        assertSameOutput(kmod, ours, "modinfo " + describe(args));
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

    @Test
    void everyPlainModule() {
        assertSameAsKmod(plainModules);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xz", "zst"})
    void everyCompressedModule(String kind) throws IOException {
        List<String> modules = Corpus.modules(Corpus.cloud(kind), ".ko." + kind);
        assertEquals(plainModules.size(), modules.size());
        assertSameAsKmod(modules);
    }

    /** kmod 30 on Debian has no zlib: our .gz output must be kmod's .xz output with only the names changed. */
    @Test
    void everyGzipModuleMatchesKmodOnTheSameModuleInXz() throws IOException {
        Path xz = Corpus.cloud("xz");
        Path gz = Corpus.cloud("gz");
        List<String> xzModules = Corpus.modules(xz, ".ko.xz");
        List<String> gzModules = Corpus.modules(gz, ".ko.gz");
        List<String> command = new ArrayList<>(List.of("modinfo"));
        command.addAll(xzModules);
        Processes.Result kmod = Processes.run(command);
        String expected = kmod.stdoutText().replace(xz.toString(), gz.toString()).replace(".ko.xz\n", ".ko.gz\n");
        Processes.Result ours = Tool.ours("modinfo", gzModules);
        assertSameText(expected, ours.stdoutText(), "modinfo of .ko.gz vs kmod on .ko.xz");
        assertEquals("", ours.stderrText());
        assertEquals(kmod.status(), ours.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-F alias", "-F depends", "-F parm", "-p", "-a", "-d", "-l", "-n", "-0", "-0 -p",
            "-F signature", "-0 -F signature", "-F signer", "-F sig_key", "-F name", "-F vermagic", "-F ALIAS",
            "-F nonexistent", "--field=firmware", "-0F alias", "--null --parameters", "-F filename"})
    void fieldsAndSeparatorsOnASample(String options) {
        List<String> args = new ArrayList<>(List.of(options.split(" ")));
        for (int i = 0; i < plainModules.size(); i += 23) {
            args.add(plainModules.get(i));
        }
        assertSameAsKmod(args);
    }

    @Test
    void modulesByNameAliasAndBuiltin(@TempDir Path base) throws IOException {
        try {
            byNameAliasAndBuiltin(base);
        } finally {
            Corpus.removeCopy(base);
        }
    }

    private void byNameAliasAndBuiltin(Path base) throws IOException {
        String version = Corpus.version(plain);
        Corpus.linkedCopy(plain, version, base);
        Processes.Result depmod = Processes.run(List.of("depmod", "-b", base.toString(), version));
        assertEquals(0, depmod.status(), depmod.stderrText());

        List<String> names = new ArrayList<>();
        for (String m : plainModules) {
            String file = Path.of(m).getFileName().toString();
            names.add(file.substring(0, file.length() - 3));
        }
        List<String> args = new ArrayList<>(List.of("-b", base.toString(), "-k", version));
        args.addAll(names);
        assertSameAsKmod(args);

        List<String> others = new ArrayList<>(List.of("-b", base.toString(), "-k", version,
                // aliases with wildcards in modules.alias, a symbol alias, built-in modules and their aliases
                "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", "fs-ext4", "net-pf-10", "crypto-sha256",
                "symbol:jbd2_journal_start", "unix", "crc32c_generic", "fs-ramfs", "ext4",
                // names kmod does not find, an unbalanced alias, a missing file, a directory
                "no_such_module", "pci:v[00", base + "/missing.ko", base.toString()));
        assertSameAsKmod(others);
        List<String> byName = new ArrayList<>(List.of("-b", base.toString(), "-k", version, "-m", "ext4", "unix", "fs-ext4", "no-such"));
        assertSameAsKmod(byName);
    }

    @Test
    void damagedModules(@TempDir Path dir) throws IOException {
        byte[] real = Files.readAllBytes(Path.of(plainModules.get(0)));
        List<String> args = new ArrayList<>();
        write(dir, "empty.ko", new byte[0], args);
        write(dir, "text.ko", "not an object\n".getBytes(), args);
        write(dir, "tiny.ko", java.util.Arrays.copyOf(real, 16), args);
        write(dir, "header-only.ko", java.util.Arrays.copyOf(real, 64), args);
        write(dir, "half.ko", java.util.Arrays.copyOf(real, real.length / 2), args);
        write(dir, "bad-xz.ko.xz", "\u00fd7zXZ\0garbage".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), args);
        write(dir, "with-dash.ko", real, args);
        assertSameAsKmod(args);
    }

    private static void write(Path dir, String name, byte[] bytes, List<String> args) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        args.add(p.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--bogus", "-x", "-F", "--field", "--nul", "--basedir", "-h", "--help=x"})
    void usageErrors(String options) {
        List<String> args = options.isEmpty() ? List.of() : List.of(options.split(" "));
        assertSameAsKmod(args);
    }
}

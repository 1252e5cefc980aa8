package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.Random;
import java.util.Set;
import modtools.deps.KmodLevel;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * depmod against kmod's depmod on Debian 12's cloud tree (Debian 13's tree:
 * {@link Debian13DifferentialTest}), at each level against that level's kmod (30, or 34.2 at
 * level 34): both run on the same copy (kmod first, its files set aside),
 * and every index file (modules.weakdep too, which only kmod 34 writes), stdout, stderr and the
 * exit status must be identical.
 */
class DepmodDifferentialTest {
    static final List<String> INDEXES = List.of("modules.dep", "modules.dep.bin", "modules.alias",
            "modules.alias.bin", "modules.softdep", "modules.weakdep", "modules.symbols", "modules.symbols.bin",
            "modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname");

    @TempDir
    Path base;

    @AfterEach
    void removeLinks() {
        Corpus.removeCopy(base);
    }

    record Outcome(Processes.Result result, Map<String, byte[]> files) {}

    /** Runs kmod's depmod, then ours, with the same arguments on the same tree. */
    static void assertSameAsKmod(KmodLevel level, Path moduleDir, List<String> args) throws IOException {
        Outcome kmod = run(level, moduleDir, args, true);
        Outcome ours = run(level, moduleDir, args, false);
        assertSameOutcome(kmod, ours, "depmod " + String.join(" ", args) + " at level " + level.setting());
    }

    static void assertSameOutcome(Outcome kmod, Outcome ours, String what) {
        ModinfoDifferentialTest.assertSameText(kmod.result().stdoutText(), ours.result().stdoutText(), what + " (stdout)");
        ModinfoDifferentialTest.assertSameText(kmod.result().stderrText(), ours.result().stderrText(), what + " (stderr)");
        assertEquals(kmod.result().status(), ours.result().status(), what + " (exit status)");
        assertEquals(kmod.files().keySet(), ours.files().keySet(), what + " (files written)");
        for (String name : kmod.files().keySet()) {
            byte[] k = kmod.files().get(name);
            byte[] o = ours.files().get(name);
            if (!name.endsWith(".bin")) {
                ModinfoDifferentialTest.assertSameText(new String(k, StandardCharsets.ISO_8859_1),
                        new String(o, StandardCharsets.ISO_8859_1), what + ": " + name);
            }
            assertArrayEquals(k, o, what + ": " + name + " differs");
        }
    }

    /** kmod's depmod of the level, or ours both in this JVM and served, which must agree to the byte. */
    static Outcome run(KmodLevel level, Path moduleDir, List<String> args, boolean kmod) throws IOException {
        if (kmod) {
            return run(moduleDir, () -> Processes.run(Reference.command(level, "depmod", args)));
        }
        Outcome inJvm = run(moduleDir, () -> Tool.inProcess("depmod", args, Path.of(System.getProperty("user.dir")),
                Tool.environment(level)));
        Outcome served = run(moduleDir, () -> Tool.served("depmod", args, Map.of(KmodLevel.VARIABLE, level.setting())));
        assertSameOutcome(inJvm, served, "depmod " + String.join(" ", args) + ", served against in a plain JVM");
        return inJvm;
    }

    private static Outcome run(Path moduleDir, Supplier<Processes.Result> depmod) throws IOException {
        for (String name : INDEXES) {
            Files.deleteIfExists(moduleDir.resolve(name));
        }
        Processes.Result result = depmod.get();
        return new Outcome(result, files(moduleDir));
    }

    private Path tree(Path corpus) throws IOException {
        return Corpus.linkedCopy(corpus, Corpus.version(corpus), base);
    }

    private List<String> args(Path corpus, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("-b", base.toString()));
        args.addAll(List.of(extra));
        args.add(Corpus.version(corpus));
        return args;
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void plainTree(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        assertSameAsKmod(level, tree(corpus), args(corpus));
    }

    @ParameterizedTest
    @CsvSource({"KMOD30, xz", "KMOD30, zst", "KMOD34, xz", "KMOD34, zst"})
    void recompressedTree(KmodLevel level, String kind) throws IOException {
        Path corpus = Corpus.cloud(kind);
        assertSameAsKmod(level, tree(corpus), args(corpus));
    }

    /** Debian's kmod cannot read .ko.gz: the reference is its output for the .xz tree with the names changed. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void gzipTreeMatchesKmodOnXz(KmodLevel level) throws IOException {
        Path xz = Corpus.cloud("xz");
        Path xzTree = tree(xz);
        Outcome kmod = run(level, xzTree, args(xz), true);
        Corpus.removeCopy(base);
        Path gz = Corpus.cloud("gz");
        Path gzTree = tree(gz);
        Outcome ours = run(level, gzTree, args(gz), false);
        Map<String, byte[]> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : kmod.files().entrySet()) {
            renamed.put(e.getKey(), e.getKey().startsWith("modules.dep")
                    ? new String(e.getValue(), StandardCharsets.ISO_8859_1).replace(".ko.xz", ".ko.gz").getBytes(StandardCharsets.ISO_8859_1)
                    : e.getValue());
        }
        assertSameOutcome(new Outcome(kmod.result(), renamed), ours, "depmod on .ko.gz vs kmod on .ko.xz");
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void shuffledModulesOrder(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Path order = dir.resolve("modules.order");
        List<String> lines = new ArrayList<>(Files.readAllLines(order));
        Collections.shuffle(lines, new Random(7));
        // Leave a few modules out, so some come after the listed ones in kmod's own order.
        List<String> kept = lines.subList(0, lines.size() - 40);
        Files.delete(order);
        Files.write(order, kept);
        assertSameAsKmod(level, dir, args(corpus));
    }

    /** Damaged files among the modules: kmod's "failed to load symbols" lines, in its order, and the rest indexed. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void damagedModulesInTheTree(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Path extra = Files.createDirectories(dir.resolve("extra"));
        byte[] real = Files.readAllBytes(Path.of(Corpus.modules(corpus, ".ko").get(3)));
        Files.write(extra.resolve("truncated.ko"), java.util.Arrays.copyOf(real, real.length / 3));
        Files.write(extra.resolve("text.ko"), "not an object\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(extra.resolve("empty.ko"), new byte[0]);
        Files.write(extra.resolve("header-only.ko"), java.util.Arrays.copyOf(real, 64));
        assertSameAsKmod(level, dir, args(corpus));
    }

    /**
     * A small tree holding a .ko.zst without content size: kmod 30 indexes it, kmod 34.2 logs its
     * decoder's line around "failed to load symbols" and lists it with nothing; and, beside it,
     * damaged .ko.xz files, whose later reads kmod 34.2 words otherwise.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void zstdWithoutContentSizeInTheTree(KmodLevel level) throws IOException {
        Path moduleDir = Files.createDirectories(base.resolve("lib/modules/1.0"));
        Path kernel = Files.createDirectories(moduleDir.resolve("kernel"));
        Path plain = TestModules.compile(kernel, "plain", "plain_func", null, "alias=plain-alias");
        Path lib = TestModules.compile(kernel, "unsized", "unsized_func", "plain_func", "alias=unsized-alias");
        TestModules.writeUnsizedZstd(lib, kernel.resolve("unsized.ko.zst"));
        Files.delete(lib);
        assertTrue(Files.exists(plain));
        TestModules.writeDamagedXz(kernel);
        Files.delete(kernel.resolve("truncated"));
        assertSameAsKmod(level, moduleDir, List.of("-b", base.toString(), "1.0"));
    }

    /**
     * A small tree of zstd modules cut short or in several frames ({@link TestModules#writeOddZstd})
     * beside a plain one: kmod 30 indexes what it streams out of them, kmod 34.2 logs libzstd's
     * line around "failed to load symbols" for each it refuses.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void zstdCutOrInSeveralFramesInTheTree(KmodLevel level) throws IOException {
        Path moduleDir = Files.createDirectories(base.resolve("lib/modules/1.0"));
        Path kernel = Files.createDirectories(moduleDir.resolve("kernel"));
        Path sources = Files.createDirectories(base.resolve("sources"));
        TestModules.compile(kernel, "plain", "plain_func", null, "alias=plain-alias");
        Path ko = TestModules.compile(sources, "oddzstd", "oddzstd_func", "plain_func", "alias=oddzstd-alias");
        Path other = TestModules.compile(sources, "otherzstd", "otherzstd_func", null);
        TestModules.writeOddZstd(ko, other, kernel);
        assertSameAsKmod(level, moduleDir, List.of("-b", base.toString(), "1.0"));
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void withoutModulesOrder(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Files.delete(dir.resolve("modules.order"));
        assertSameAsKmod(level, dir, args(corpus));
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void dryRunPrintsTheTextIndexes(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        assertSameAsKmod(level, tree(corpus), args(corpus, "-n"));
    }

    /**
     * A System.map that lists every symbol the modules need and do not export themselves,
     * minus a few: both depmods must name exactly the modules that need the missing ones.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void unknownSymbolsAgainstASystemMap(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Path systemMap = kernelSymbolFile(corpus, "System.map", i -> i % 97 != 5,
                symbol -> "ffffffff81000000 r __ksymtab_" + symbol, "ffffffff81000000 T _text");
        assertSameWarnings(level, dir, args(corpus, "-e", "-F", systemMap.toString()), "needs unknown symbol");
    }

    /**
     * {@code name} under base: a {@code line} for each symbol the modules import and none of them
     * exports (the kernel's part, as GNU nm reads them) whose place among them {@code keep} takes,
     * then the {@code last} lines.
     */
    private Path kernelSymbolFile(Path corpus, String name, IntPredicate keep, Function<String, String> line,
                                  String... last) throws IOException {
        List<String> modules = Corpus.modules(corpus, ".ko");
        Set<String> needed = Nm.undefined(modules);
        needed.removeAll(Nm.exported(modules));
        List<String> lines = new ArrayList<>();
        int i = 0;
        for (String symbol : needed) {
            if (keep.test(i++)) {
                lines.add(line.apply(symbol));
            }
        }
        lines.addAll(List.of(last));
        return Files.write(base.resolve(name), lines);
    }

    /** kmod must warn with {@code warning} (else the input tests nothing), and we exactly as it does. */
    private static void assertSameWarnings(KmodLevel level, Path dir, List<String> args, String warning)
            throws IOException {
        Outcome kmod = run(level, dir, args, true);
        assertTrue(kmod.result().stderrText().contains(warning), "kmod does not warn: " + kmod.result().stderrText());
        assertSameOutcome(kmod, run(level, dir, args, false), "depmod " + String.join(" ", args));
    }

    /** Module.symvers with a few CRCs changed: kmod and we must name the same disagreeing modules. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void versionMismatchesAgainstModuleSymvers(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        // The right CRC is unknown here: most entries get 0, which every versioned import disagrees with,
        // so keep the list short to keep the warnings readable.
        Path file = kernelSymbolFile(corpus, "Module.symvers", i -> i % 50 == 0,
                symbol -> "0x00000000\t" + symbol + "\tvmlinux\tEXPORT_SYMBOL");
        assertSameWarnings(level, dir, args(corpus, "-e", "-E", file.toString()), "disagrees about version of symbol");
    }

    /**
     * a and b need each other; e needs a; c needs d. kmod reports the cycle and writes nothing;
     * we report it in kmod's words and exit status, and still write the sound part: c's and d's
     * lines must be what kmod writes for the tree without the cycle.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void dependencyCycleAmongCompiledModules(KmodLevel level) throws IOException {
        String version = "1.0.0-test";
        Path dir = base.resolve("lib/modules").resolve(version);
        Path kernel = Files.createDirectories(dir.resolve("kernel"));
        TestModules.compile(kernel, "a", "a_func", "b_func");
        TestModules.compile(kernel, "b", "b_func", "a_func");
        TestModules.compile(kernel, "c", "c_func", "d_func");
        TestModules.compile(kernel, "d", "d_func", null);
        TestModules.compile(kernel, "e", "e_func", "a_func");
        Files.write(dir.resolve("modules.order"), List.of("kernel/a.ko", "kernel/b.ko", "kernel/c.ko", "kernel/d.ko", "kernel/e.ko"));
        List<String> args = List.of("-b", base.toString(), version);
        Outcome kmod = run(level, dir, args, true);
        assertTrue(kmod.result().stderrText().contains("Cycle detected"), kmod.result().stderrText());
        Outcome ours = run(level, dir, args, false);
        ModinfoDifferentialTest.assertSameText(kmod.result().stderrText(), ours.result().stderrText(), "cycle report");
        assertEquals(kmod.result().status(), ours.result().status());

        for (String m : List.of("a", "b", "e")) {
            Files.delete(kernel.resolve(m + ".ko"));
        }
        Files.write(dir.resolve("modules.order"), List.of("kernel/c.ko", "kernel/d.ko"));
        Outcome acyclic = run(level, dir, args, true);
        String sound = new String(acyclic.files().get("modules.dep"), StandardCharsets.ISO_8859_1);
        String ourDep = new String(ours.files().get("modules.dep"), StandardCharsets.ISO_8859_1);
        for (String line : sound.split("\n")) {
            assertTrue(ourDep.contains(line + "\n"), "our modules.dep lacks kmod's line '" + line + "':\n" + ourDep);
        }
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void usageAndBadArguments(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        for (String bad : List.of("--bogus", "-P ab", "-x", "-u -q", "notaversion", "-F /nonexistent/System.map")) {
            List<String> args = new ArrayList<>(List.of("-b", base.toString()));
            args.addAll(List.of(bad.split(" ")));
            if (!bad.equals("notaversion")) {
                args.add(Corpus.version(corpus));
            }
            assertSameAsKmod(level, dir, args);
        }
        assertTrue(Files.exists(dir));
    }

    /**
     * kmod 34's -o (write below another root, made when missing) and -m (the module directory
     * below the roots); kmod 30 knows neither: -o is an invalid option and -m its deprecated,
     * ignored --map, which leaves the version as the operand.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void outputRootAndModuleDirectory(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        String version = Corpus.version(corpus);
        Path dir = tree(corpus);
        Path out = base.resolve("out");
        Path written = out.resolve("lib/modules").resolve(version);
        List<String> toOut = List.of("-b", base.toString(), "-o", out.toString(), version);
        Processes.Result kmodOut = Processes.run(Reference.command(level, "depmod", toOut));
        Map<String, byte[]> kmodFiles = files(written);
        Processes.run(List.of("rm", "-rf", out.toString()));
        Processes.Result ourOut = Tool.ours(level, "depmod", toOut);
        assertSameOutcome(new Outcome(kmodOut, kmodFiles), new Outcome(ourOut, files(written)),
                "depmod -o at level " + level.setting());
        assertEquals(level == KmodLevel.KMOD34, !kmodFiles.isEmpty(), "kmod 34 writes below -o, kmod 30 refuses it");

        Path moved = Files.createDirectories(base.resolve("usr"));
        Files.move(base.resolve("lib"), moved.resolve("lib"));
        Path movedDir = moved.resolve("lib/modules").resolve(version);
        for (String modules : List.of("/usr/lib/modules", "usr/lib/modules", "//usr/lib/modules")) {
            assertSameAsKmod(level, movedDir, List.of("-b", base.toString(), "-m", modules, version));
            assertSameAsKmod(level, movedDir, List.of("-b", base.toString(), "--moduledir=" + modules, "-n", version));
        }
        Files.move(moved.resolve("lib"), base.resolve("lib"));
        assertSameAsKmod(level, dir, List.of("-b", base.toString(), "-m", version));
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : INDEXES) {
            Path p = dir.resolve(name);
            if (Files.exists(p)) {
                files.put(name, Files.readAllBytes(p));
            }
        }
        return files;
    }

    /**
     * The options kmod 34 removed (kmod 30 warns that it ignores them), an empty -P (which kmod
     * 34 refuses), and a module listed twice in modules.order (kmod 34 keeps the first place).
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void removedOptionsAndOrderDuplicates(KmodLevel level) throws IOException {
        Path corpus = Corpus.cloud();
        String version = Corpus.version(corpus);
        Path dir = tree(corpus);
        for (List<String> options : List.of(List.of("-u"), List.of("-q"), List.of("-r"), List.of("--map"),
                List.of("--unresolved-error"), List.of("--quiet"), List.of("--root"), List.of("-P", "_"),
                List.of("--symbol-prefix=_"), List.of("-P", ""), List.of("-uqr"), List.of("-o"), List.of("--outdir"))) {
            List<String> args = new ArrayList<>(List.of("-b", base.toString()));
            args.addAll(options);
            args.add(version);
            assertSameAsKmod(level, dir, args);
        }
        Path order = dir.resolve("modules.order");
        List<String> lines = new ArrayList<>(Files.readAllLines(order));
        lines.add(lines.get(3));
        lines.add(0, lines.get(lines.size() - 5));
        Files.delete(order);
        Files.write(order, lines);
        assertSameAsKmod(level, dir, args(corpus));
    }
}

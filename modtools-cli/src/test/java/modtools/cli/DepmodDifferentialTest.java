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
import java.util.function.Supplier;
import java.util.Random;
import java.util.Set;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * depmod against kmod 30's depmod on a real Debian module tree: both run on the same copy
 * (kmod first, its files set aside), and all ten index files, stdout, stderr and the exit
 * status must be identical.
 */
class DepmodDifferentialTest {
    static final List<String> INDEXES = List.of("modules.dep", "modules.dep.bin", "modules.alias",
            "modules.alias.bin", "modules.softdep", "modules.symbols", "modules.symbols.bin",
            "modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname");

    @TempDir
    Path base;

    @AfterEach
    void removeLinks() {
        Corpus.removeCopy(base);
    }

    record Outcome(Processes.Result result, Map<String, byte[]> files) {}

    /** Runs kmod's depmod, then ours, with the same arguments on the same tree. */
    static void assertSameAsKmod(Path moduleDir, List<String> args) throws IOException {
        Outcome kmod = run(moduleDir, args, true);
        Outcome ours = run(moduleDir, args, false);
        assertSameOutcome(kmod, ours, "depmod " + String.join(" ", args));
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

    /** kmod's depmod, or ours both in this JVM and served, which must agree to the byte. */
    static Outcome run(Path moduleDir, List<String> args, boolean kmod) throws IOException {
        if (kmod) {
            List<String> command = new ArrayList<>(List.of("depmod"));
            command.addAll(args);
            return run(moduleDir, () -> Processes.run(command));
        }
        Outcome inJvm = run(moduleDir, () -> Tool.inProcess("depmod", args));
        Outcome served = run(moduleDir, () -> Tool.served("depmod", args));
        assertSameOutcome(inJvm, served, "depmod " + String.join(" ", args) + ", served against in a plain JVM");
        return inJvm;
    }

    private static Outcome run(Path moduleDir, Supplier<Processes.Result> depmod) throws IOException {
        for (String name : INDEXES) {
            Files.deleteIfExists(moduleDir.resolve(name));
        }
        Processes.Result result = depmod.get();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : INDEXES) {
            Path p = moduleDir.resolve(name);
            if (Files.exists(p)) {
                files.put(name, Files.readAllBytes(p));
            }
        }
        return new Outcome(result, files);
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

    @Test
    void plainTree() throws IOException {
        Path corpus = Corpus.cloud();
        assertSameAsKmod(tree(corpus), args(corpus));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xz", "zst"})
    void recompressedTree(String kind) throws IOException {
        Path corpus = Corpus.cloud(kind);
        assertSameAsKmod(tree(corpus), args(corpus));
    }

    /** kmod 30 here cannot read .ko.gz: the reference is its output for the .xz tree with the names changed. */
    @Test
    void gzipTreeMatchesKmodOnXz() throws IOException {
        Path xz = Corpus.cloud("xz");
        Path xzTree = tree(xz);
        Outcome kmod = run(xzTree, args(xz), true);
        Corpus.removeCopy(base);
        Path gz = Corpus.cloud("gz");
        Path gzTree = tree(gz);
        Outcome ours = run(gzTree, args(gz), false);
        Map<String, byte[]> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : kmod.files().entrySet()) {
            renamed.put(e.getKey(), e.getKey().startsWith("modules.dep")
                    ? new String(e.getValue(), StandardCharsets.ISO_8859_1).replace(".ko.xz", ".ko.gz").getBytes(StandardCharsets.ISO_8859_1)
                    : e.getValue());
        }
        assertSameOutcome(new Outcome(kmod.result(), renamed), ours, "depmod on .ko.gz vs kmod on .ko.xz");
    }

    @Test
    void shuffledModulesOrder() throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Path order = dir.resolve("modules.order");
        List<String> lines = new ArrayList<>(Files.readAllLines(order));
        Collections.shuffle(lines, new Random(7));
        // Leave a few modules out, so some come after the listed ones in kmod's own order.
        List<String> kept = lines.subList(0, lines.size() - 40);
        Files.delete(order);
        Files.write(order, kept);
        assertSameAsKmod(dir, args(corpus));
    }

    /** Damaged files among the modules: kmod's "failed to load symbols" lines, in its order, and the rest indexed. */
    @Test
    void damagedModulesInTheTree() throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Path extra = Files.createDirectories(dir.resolve("extra"));
        byte[] real = Files.readAllBytes(Path.of(Corpus.modules(corpus, ".ko").get(3)));
        Files.write(extra.resolve("truncated.ko"), java.util.Arrays.copyOf(real, real.length / 3));
        Files.write(extra.resolve("text.ko"), "not an object\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(extra.resolve("empty.ko"), new byte[0]);
        Files.write(extra.resolve("header-only.ko"), java.util.Arrays.copyOf(real, 64));
        assertSameAsKmod(dir, args(corpus));
    }

    @Test
    void withoutModulesOrder() throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Files.delete(dir.resolve("modules.order"));
        assertSameAsKmod(dir, args(corpus));
    }

    @Test
    void dryRunPrintsTheTextIndexes() throws IOException {
        Path corpus = Corpus.cloud();
        assertSameAsKmod(tree(corpus), args(corpus, "-n"));
    }

    /**
     * A System.map that lists every symbol the modules need and do not export themselves,
     * minus a few: both depmods must name exactly the modules that need the missing ones.
     */
    @Test
    void unknownSymbolsAgainstASystemMap() throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Set<String> needed = neededFromTheKernel(corpus);
        List<String> map = new ArrayList<>();
        int i = 0;
        for (String symbol : needed) {
            if (i++ % 97 != 5) {
                map.add("ffffffff81000000 r __ksymtab_" + symbol);
            }
        }
        map.add("ffffffff81000000 T _text");
        Path systemMap = base.resolve("System.map");
        Files.write(systemMap, map);
        assertSameWarnings(dir, args(corpus, "-e", "-F", systemMap.toString()), "needs unknown symbol");
    }

    /** What the modules import and none of them exports: the kernel's part, as GNU nm reads them. */
    private static Set<String> neededFromTheKernel(Path corpus) throws IOException {
        List<String> modules = Corpus.modules(corpus, ".ko");
        Set<String> needed = Nm.undefined(modules);
        needed.removeAll(Nm.exported(modules));
        return needed;
    }

    /** kmod must warn with {@code warning} (else the input tests nothing), and we exactly as it does. */
    private static void assertSameWarnings(Path dir, List<String> args, String warning) throws IOException {
        Outcome kmod = run(dir, args, true);
        assertTrue(kmod.result().stderrText().contains(warning), "kmod does not warn: " + kmod.result().stderrText());
        assertSameOutcome(kmod, run(dir, args, false), "depmod " + String.join(" ", args));
    }

    /** Module.symvers with a few CRCs changed: kmod and we must name the same disagreeing modules. */
    @Test
    void versionMismatchesAgainstModuleSymvers() throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        Set<String> needed = neededFromTheKernel(corpus);
        List<String> symvers = new ArrayList<>();
        int i = 0;
        for (String symbol : needed) {
            // The right CRC is unknown here: most entries get 0, which every versioned import disagrees with,
            // so keep the list short to keep the warnings readable.
            if (i++ % 50 == 0) {
                symvers.add("0x00000000\t" + symbol + "\tvmlinux\tEXPORT_SYMBOL");
            }
        }
        Path file = base.resolve("Module.symvers");
        Files.write(file, symvers);
        assertSameWarnings(dir, args(corpus, "-e", "-E", file.toString()), "disagrees about version of symbol");
    }

    /**
     * a and b need each other; e needs a; c needs d. kmod reports the cycle and writes nothing;
     * we report it in kmod's words and exit status, and still write the sound part: c's and d's
     * lines must be what kmod writes for the tree without the cycle.
     */
    @Test
    void dependencyCycleAmongCompiledModules() throws IOException {
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
        Outcome kmod = run(dir, args, true);
        assertTrue(kmod.result().stderrText().contains("Cycle detected"), kmod.result().stderrText());
        Outcome ours = run(dir, args, false);
        ModinfoDifferentialTest.assertSameText(kmod.result().stderrText(), ours.result().stderrText(), "cycle report");
        assertEquals(kmod.result().status(), ours.result().status());

        for (String m : List.of("a", "b", "e")) {
            Files.delete(kernel.resolve(m + ".ko"));
        }
        Files.write(dir.resolve("modules.order"), List.of("kernel/c.ko", "kernel/d.ko"));
        Outcome acyclic = run(dir, args, true);
        String sound = new String(acyclic.files().get("modules.dep"), StandardCharsets.ISO_8859_1);
        String ourDep = new String(ours.files().get("modules.dep"), StandardCharsets.ISO_8859_1);
        for (String line : sound.split("\n")) {
            assertTrue(ourDep.contains(line + "\n"), "our modules.dep lacks kmod's line '" + line + "':\n" + ourDep);
        }
    }

    @Test
    void usageAndBadArguments() throws IOException {
        Path corpus = Corpus.cloud();
        Path dir = tree(corpus);
        for (String bad : List.of("--bogus", "-P ab", "-x", "-u -q", "notaversion", "-F /nonexistent/System.map")) {
            List<String> args = new ArrayList<>(List.of("-b", base.toString()));
            args.addAll(List.of(bad.split(" ")));
            if (!bad.equals("notaversion")) {
                args.add(Corpus.version(corpus));
            }
            assertSameAsKmod(dir, args);
        }
        assertTrue(Files.exists(dir));
    }
}

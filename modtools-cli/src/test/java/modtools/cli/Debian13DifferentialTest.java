package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * depmod, modinfo and modprobe against kmod 30's on Debian 13's own kernel tree (6.12, its
 * modules shipped as .ko.xz) and on the same tree recompressed as .ko.zst: the compressed
 * modules a current distribution installs, read through the C libraries' decoders.
 */
class Debian13DifferentialTest {
    @TempDir
    Path base;

    @AfterEach
    void removeLinks() {
        Corpus.removeCopy(base);
    }

    private static Path corpus(String kind) {
        return kind.equals("xz") ? Corpus.trixie() : Corpus.trixie(kind);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xz", "zst"})
    void depmod(String kind) throws IOException {
        Path corpus = corpus(kind);
        String version = Corpus.version(corpus);
        Path dir = Corpus.linkedCopy(corpus, version, base);
        DepmodDifferentialTest.assertSameAsKmod(dir, List.of("-b", base.toString(), version));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xz", "zst"})
    void modinfoOfEveryModule(String kind) throws IOException {
        List<String> modules = Corpus.modules(corpus(kind), ".ko." + kind);
        assertTrue(modules.size() > 4000, "expected Debian 13's whole tree, found " + modules.size());
        ModinfoDifferentialTest.assertSameAsKmod(modules);
    }

    /**
     * On the tree indexed by kmod's depmod: modprobe -D for every module and built-in name,
     * --show-modversions and --show-exports of module files, and modinfo by name.
     */
    @ParameterizedTest
    @ValueSource(strings = {"xz", "zst"})
    void modprobeAndModinfoByName(String kind) throws IOException {
        Path corpus = corpus(kind);
        String version = Corpus.version(corpus);
        Path dir = Corpus.linkedCopy(corpus, version, base);
        Processes.Result depmod = Processes.run(List.of("depmod", "-b", base.toString(), version));
        assertEquals(0, depmod.status(), depmod.stderrText());
        List<String> names = ModprobeDifferentialTest.moduleNames(dir);

        List<String> all = new ArrayList<>(List.of("-d", base.toString(), "-S", version, "-a", "-D"));
        all.addAll(names);
        assertSameAsKmod("modprobe", all);
        List<String> files = Corpus.modules(base, ".ko." + kind);
        for (int i = 0; i < files.size(); i += 397) {
            assertSameAsKmod("modprobe", List.of("--show-modversions", files.get(i)));
            assertSameAsKmod("modprobe", List.of("--show-exports", files.get(i)));
        }
        List<String> byName = new ArrayList<>(List.of("-b", base.toString(), "-k", version));
        for (int i = 0; i < names.size(); i += 7) {
            byName.add(names.get(i));
        }
        assertSameAsKmod("modinfo", byName);
    }

    private static void assertSameAsKmod(String tool, List<String> args) {
        List<String> command = new ArrayList<>(List.of(tool));
        command.addAll(args);
        String what = tool + " " + (args.size() <= 8 ? String.join(" ", args)
                : String.join(" ", args.subList(0, 6)) + " … (" + args.size() + " args)");
        ModinfoDifferentialTest.assertSameOutput(Processes.run(command), Tool.ours(tool, args), what);
    }
}

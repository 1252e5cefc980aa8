package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import modtools.deps.KmodLevel;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * depmod, modinfo and modprobe against kmod's on Debian 13's own kernel tree (6.12, its
 * modules shipped as .ko.xz) and on the same tree recompressed as .ko.zst: the compressed
 * modules a current distribution installs, read through the C libraries' decoders. Each case
 * runs at both levels, against kmod 30 and against kmod 34.2.
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

    /** The kind's tree linked under base: its module directory, lib/modules/VERSION. */
    private Path linkedCopy(String kind) throws IOException {
        Path corpus = corpus(kind);
        return Corpus.linkedCopy(corpus, Corpus.version(corpus), base);
    }

    /** Both compressions at both levels. */
    static Stream<Arguments> kindsAtLevels() {
        return Stream.of(KmodLevel.values()).flatMap(level -> Stream.of(
                Arguments.of(level, "xz"), Arguments.of(level, "zst")));
    }

    @ParameterizedTest
    @MethodSource("kindsAtLevels")
    void depmod(KmodLevel level, String kind) throws IOException {
        Path dir = linkedCopy(kind);
        DepmodDifferentialTest.assertSameAsKmod(level, dir, List.of("-b", base.toString(), dir.getFileName().toString()));
    }

    @ParameterizedTest
    @MethodSource("kindsAtLevels")
    void modinfoOfEveryModule(KmodLevel level, String kind) throws IOException {
        List<String> modules = Corpus.modules(corpus(kind), ".ko." + kind);
        assertTrue(modules.size() > 4000, "expected Debian 13's whole tree, found " + modules.size());
        ModinfoDifferentialTest.assertSameAsKmod(level, modules);
    }

    /**
     * On the tree indexed by kmod's depmod: modprobe -D for every module and built-in name,
     * with modprobe.d's fixture (every directive, weakdep too) -c and -n -v on a sample,
     * --show-modversions and --show-exports of module files, and modinfo by name.
     */
    @ParameterizedTest
    @MethodSource("kindsAtLevels")
    void modprobeAndModinfoByName(KmodLevel level, String kind) throws IOException {
        Path dir = linkedCopy(kind);
        String version = dir.getFileName().toString();
        Reference.depmod(base, version);
        List<String> names = ModprobeDifferentialTest.moduleNames(dir);

        List<String> all = new ArrayList<>(List.of("-d", base.toString(), "-S", version, "-a", "-D"));
        all.addAll(names);
        assertSameAsKmod(level, "modprobe", all);
        List<String> fixture = List.of("-C", IndexedCloudTree.writeFixture(base.resolve("modprobe.d")).toString(),
                "-d", base.toString(), "-S", version);
        List<String> showConfig = new ArrayList<>(fixture);
        showConfig.add("-c");
        assertSameAsKmod(level, "modprobe", showConfig);
        List<String> dryRun = new ArrayList<>(fixture);
        dryRun.addAll(List.of("-a", "-n", "-v"));
        for (int i = 0; i < names.size(); i += 41) {
            dryRun.add(names.get(i));
        }
        assertSameAsKmod(level, "modprobe", dryRun);
        List<String> files = Corpus.modules(base, ".ko." + kind);
        for (int i = 0; i < files.size(); i += 397) {
            assertSameAsKmod(level, "modprobe", List.of("--show-modversions", files.get(i)));
            assertSameAsKmod(level, "modprobe", List.of("--show-exports", files.get(i)));
        }
        List<String> byName = new ArrayList<>(List.of("-b", base.toString(), "-k", version));
        for (int i = 0; i < names.size(); i += 7) {
            byName.add(names.get(i));
        }
        assertSameAsKmod(level, "modinfo", byName);
    }

    private static void assertSameAsKmod(KmodLevel level, String tool, List<String> args) {
        String what = tool + " " + (args.size() <= 8 ? String.join(" ", args)
                : String.join(" ", args.subList(0, 6)) + " … (" + args.size() + " args)") + " at level " + level.setting();
        ModinfoDifferentialTest.assertSameOutput(Processes.run(Reference.command(level, tool, args)),
                Tool.ours(level, tool, args), what);
    }
}

package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.testkit.Corpus;
import modtools.testkit.Kmod34;
import modtools.testkit.Processes;

/**
 * The kmod a level copies, as the differential tests run it: kmod 30 installed on this
 * machine, or Debian 13's kmod 34.2 that scripts/fetch-kmod34 unpacks into the cache (a test
 * at level 34 skips, naming the reason, where it cannot be fetched); trees indexed by kmod's
 * depmod; and the skip of a test whose kmod tools would act on this machine's kernel.
 */
public final class Reference {
    private Reference() {}

    /** The command line that runs {@code tool} of the level's kmod with {@code args}. */
    public static List<String> command(KmodLevel level, String tool, List<String> args) {
        assumeAvailable(level);
        List<String> command = new ArrayList<>();
        command.add(switch (level) {
            case KMOD30 -> tool;
            case KMOD34 -> Kmod34.tool(tool).orElseThrow().toString();
        });
        command.addAll(args);
        return command;
    }

    /** Skips the calling test when the level's kmod cannot run here. */
    static void assumeAvailable(KmodLevel level) {
        if (level == KmodLevel.KMOD34) {
            assumeTrue(Kmod34.tool("depmod").isPresent(), Kmod34.unavailableReason());
        }
    }

    /**
     * Skips the calling test when this machine's kernel loads modules (it has /proc/modules):
     * {@code what} the test runs would act on it.
     */
    public static void assumeNoModuleSupport(String what) {
        assumeTrue(!Files.exists(Path.of("/proc/modules")),
                "this machine's kernel loads modules: " + what + " would act on it");
    }

    /** A linked copy of {@code corpus} under {@code base}, indexed by kmod's depmod; its module directory. */
    static Path indexedCopy(Path corpus, String version, Path base) throws IOException {
        Path moduleDir = Corpus.linkedCopy(corpus, version, base);
        depmod(base, version);
        return moduleDir;
    }

    /** kmod's depmod on the tree under {@code base}, which must succeed. */
    static void depmod(Path base, String version) {
        Processes.Result depmod = Processes.run(List.of("depmod", "-b", base.toString(), version));
        assertEquals(0, depmod.status(), depmod.stderrText());
    }
}

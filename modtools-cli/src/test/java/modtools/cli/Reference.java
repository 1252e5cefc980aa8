package modtools.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.testkit.Kmod34;

/**
 * The kmod a level copies, as the differential tests run it: kmod 30 installed on this
 * machine, or Debian 13's kmod 34.2 that scripts/fetch-kmod34 unpacks into the cache (a test
 * at level 34 skips, naming the reason, where it cannot be fetched).
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
}

package modtools.testkit;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Debian 13's kmod 34.2, the second reference next to the system's kmod 30: scripts/fetch-kmod34
 * unpacks it into the cache and makes one command per tool (depmod, modinfo, modprobe, insmod,
 * rmmod, lsmod) in a directory. Fetched once per test run.
 */
public final class Kmod34 {
    private Kmod34() {}

    /** The command directory, or why there is none. */
    private record Fetch(Path tools, String failure) {}

    private static final class Once {
        static final Fetch FETCH = fetch();
    }

    /**
     * One of kmod 34.2's commands, e.g. {@code tool("depmod")}, or empty when the script cannot
     * fetch it (no network, no Debian archive): a test then skips with {@link #unavailableReason()}.
     */
    public static Optional<Path> tool(String name) {
        return Optional.ofNullable(Once.FETCH.tools()).map(dir -> dir.resolve(name));
    }

    /** The script's reason when kmod 34.2 is missing, for a test's skip message. */
    public static String unavailableReason() {
        return Once.FETCH.failure() == null ? "kmod 34.2 is available" : Once.FETCH.failure();
    }

    private static Fetch fetch() {
        try {
            return new Fetch(Path.of(Corpus.script("fetch-kmod34")), null);
        } catch (IllegalStateException e) {
            return new Fetch(null, e.getMessage().strip());
        }
    }
}

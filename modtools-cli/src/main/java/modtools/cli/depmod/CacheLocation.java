package modtools.cli.depmod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import modtools.cli.Invocation;

/**
 * Where depmod's fact cache lives: {@code $MODTOOLS_CACHE_DIR} when the caller sets it
 * ({@code chosen}); else {@code /var/cache/modtools} for root and the user's cache directory
 * ({@code $XDG_CACHE_HOME/modtools}, or {@code ~/.cache/modtools}) for anyone else, who cannot
 * write root's: a kernel developer's {@code make modules_install INSTALL_MOD_PATH=…} runs depmod
 * without root.
 */
record CacheLocation(Path directory, boolean chosen) {
    private static final Path SYSTEM = Path.of("/var/cache/modtools");

    /** The location for this call, or null when a user without a home has none. */
    static CacheLocation of(Invocation inv) {
        String named = inv.environment().get("MODTOOLS_CACHE_DIR");
        if (named != null && !named.isEmpty()) {
            return new CacheLocation(inv.cwd().resolve(named), true);
        }
        if (isRoot()) {
            return new CacheLocation(SYSTEM, false);
        }
        Path userCache = absolute(inv.environment().get("XDG_CACHE_HOME"));
        if (userCache == null) {
            Path home = absolute(inv.environment().get("HOME"));
            userCache = home == null ? null : home.resolve(".cache");
        }
        return userCache == null ? null : new CacheLocation(userCache.resolve("modtools"), false);
    }

    /** XDG's rule: a relative path in these variables is to be ignored. */
    private static Path absolute(String value) {
        return value != null && value.startsWith("/") ? Path.of(value) : null;
    }

    /**
     * Whether this process runs as root: /proc/self belongs to its effective uid. A server runs
     * as its callers' uid (it refuses any other), so the answer is the caller's.
     */
    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

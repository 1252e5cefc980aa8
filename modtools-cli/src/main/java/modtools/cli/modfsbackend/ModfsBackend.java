package modtools.cli.modfsbackend;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import modtools.cli.modprobe.Host;
import modtools.modfs.ModfsServer;
import modtools.modfs.fuse.MountPoints;

/**
 * The modfs backend of insmod, rmmod, modprobe and lsmod, and the choice between it and the
 * Linux backend: modfs when one is mounted at {@code --modfs DIR}, else at the place
 * {@code modtools modfs mount} mounts on by default ({@code $MODFS}, or {@code /run/modfs}
 * when it is unset); otherwise Linux. A directory named by {@code --modfs} must hold a modfs;
 * the default place is only looked at.
 */
public final class ModfsBackend implements AutoCloseable {
    public static final String DEFAULT_MOUNT = "/run/modfs";
    public static final String OPTION = "--modfs";

    private final ModfsMount mount;
    private final String release;
    private final ModfsLoader loader;
    private final ModfsKernelState state;

    private ModfsBackend(ModfsMount mount, String release, PrintStream log, boolean retain) {
        this.mount = mount;
        this.release = release;
        this.loader = new ModfsLoader(mount, release, log, retain);
        this.state = new ModfsKernelState(mount, loader);
    }

    /**
     * The backend over the modfs at {@code dir}.
     *
     * @param log    where the loader's kernel-style lines go (stderr)
     * @param retain keep shared locks on what the run loaded or found loaded until {@link #close}
     *               (modprobe: dependencies stay put between its steps)
     */
    public static ModfsBackend open(Path dir, PrintStream log, boolean retain) throws IOException {
        ModfsMount mount = new ModfsMount(dir);
        return new ModfsBackend(mount, mount.version(), log, retain);
    }

    /** The host's release ({@code version}): the module directory is /lib/modules/RELEASE. */
    public String release() {
        return release;
    }

    public Path root() {
        return mount.root();
    }

    /** Commands see the modfs host as their kernel; it has no command line. */
    public Host host(Map<String, String> environment) {
        return new Host(Path.of("/dev/null"), state, loader, environment);
    }

    /** The module names for lsmod, most recently made first, as /proc/modules lists them. */
    public List<String> loadedNewestFirst() throws IOException {
        List<String> names = new ArrayList<>(mount.modules());
        java.util.Collections.reverse(names);
        return names;
    }

    @Override
    public void close() {
        loader.close();
    }

    // ------------------------------------------------------------------ the choice

    /** Where the commands' modules go: a modfs mount, or (null) the running kernel; or why neither. */
    public record Choice(Path modfs, List<String> args, String error) {}

    /**
     * Takes {@code --modfs DIR} (or {@code --modfs=DIR}) out of the arguments, before any
     * {@code --}, and picks the backend.
     */
    public static Choice choose(List<String> args, String env, Path cwd) {
        List<String> rest = new ArrayList<>();
        String given = null;
        boolean operandsOnly = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!operandsOnly && a.equals("--")) {
                operandsOnly = true;
            } else if (!operandsOnly && a.equals(OPTION)) {
                if (i + 1 == args.size()) {
                    return new Choice(null, args, "option '" + OPTION + "' requires an argument");
                }
                given = args.get(++i);
                continue;
            } else if (!operandsOnly && a.startsWith(OPTION + "=")) {
                given = a.substring(OPTION.length() + 1);
                continue;
            }
            rest.add(a);
        }
        if (given != null) {
            Path dir = cwd.resolve(given).normalize();
            if (!MountPoints.mounted(dir, ModfsServer.FS_TYPE)) {
                return new Choice(null, rest, "no modfs is mounted at " + dir);
            }
            return new Choice(dir, rest, null);
        }
        // the place `modtools modfs mount` mounts on by default
        Path dir = cwd.resolve(env == null || env.isEmpty() ? DEFAULT_MOUNT : env).normalize();
        return new Choice(MountPoints.mounted(dir, ModfsServer.FS_TYPE) ? dir : null, rest, null);
    }
}

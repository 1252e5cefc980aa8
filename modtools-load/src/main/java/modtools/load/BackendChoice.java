package modtools.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.contract.MountPath;

/**
 * Where insmod, rmmod, modprobe and lsmod send their modules: into the modfs mounted at
 * {@code --modfs DIR} (a directory without one is an error), else into the one mounted at the
 * place {@code modtools modfs mount} takes by default, else into the running kernel.
 *
 * @param modfs the mount, or null for the running kernel
 * @param args  the command's arguments without {@code --modfs}
 * @param error why neither, or null
 */
public record BackendChoice(Path modfs, List<String> args, String error) {
    public static final String OPTION = "--modfs";

    /**
     * Takes {@code --modfs DIR} (or {@code --modfs=DIR}) out of the arguments, before any
     * {@code --}, and picks the backend; {@code env} is {@code $MODFS}.
     */
    public static BackendChoice choose(List<String> args, String env, Path cwd) {
        List<String> rest = new ArrayList<>();
        String given = null;
        boolean operandsOnly = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!operandsOnly && a.equals("--")) {
                operandsOnly = true;
            } else if (!operandsOnly && a.equals(OPTION)) {
                if (i + 1 == args.size()) {
                    return new BackendChoice(null, args, "option '" + OPTION + "' requires an argument");
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
            Path dir = MountPath.of(given, cwd);
            if (!MountPath.mounted(dir)) {
                return new BackendChoice(null, rest, "no modfs is mounted at " + dir);
            }
            return new BackendChoice(dir, rest, null);
        }
        Path dir = MountPath.byDefault(env, cwd);
        return new BackendChoice(MountPath.mounted(dir) ? dir : null, rest, null);
    }
}

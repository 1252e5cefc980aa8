package modtools.contract;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a modfs is mounted: the place {@code modtools modfs mount} takes when given none, the
 * one the module commands look at when given no {@code --modfs}, and how a mount is recognised.
 */
public final class MountPath {
    /** The filesystem type in /proc/self/mountinfo. */
    public static final String FS_TYPE = "fuse.modfs";
    /** Names the default place; unset or empty means {@link #DEFAULT}. */
    public static final String ENVIRONMENT = "MODFS";
    public static final String DEFAULT = "/run/modfs";

    private MountPath() {}

    /** The default place: {@code $MODFS}, else {@link #DEFAULT}, as {@link #of} resolves it. */
    public static Path byDefault(String env, Path cwd) {
        return of(env == null || env.isEmpty() ? DEFAULT : env, cwd);
    }

    /**
     * A mount point as /proc/self/mountinfo shows it: relative to {@code cwd}, with symbolic links
     * in its parent resolved. The mount point itself is left as it is, since a dead mount cannot
     * be looked at.
     */
    public static Path of(String given, Path cwd) {
        Path dir = cwd.resolve(given).normalize();
        Path parent = dir.getParent();
        if (parent == null) {
            return dir;
        }
        try {
            return parent.toRealPath().resolve(dir.getFileName());
        } catch (IOException e) {
            return dir;
        }
    }

    /** Whether {@code dir} is the mount point of a modfs. */
    public static boolean mounted(Path dir) {
        return MountTable.superOptions(dir, FS_TYPE).isPresent();
    }
}

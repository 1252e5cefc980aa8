package modtools.modfs.fuse;

import com.sun.jna.LastErrorException;
import java.nio.file.Path;
import java.util.OptionalInt;
import modtools.contract.MountTable;

/** What is mounted where (the contract's {@link MountTable}), and taking it away: umount2(2). */
public final class MountPoints {
    private MountPoints() {}

    /** What a directory looks like from outside. */
    public enum Probe {
        /** Nothing mounted there (or something other than a FUSE filesystem of ours). */
        NOT_MOUNTED,
        /** A FUSE mount whose server answers. */
        LIVE,
        /** A FUSE mount whose server is gone: every access fails with ENOTCONN. */
        DEAD
    }

    public static Probe probe(Path dir, String fsType) {
        if (!mounted(dir, fsType)) {
            return Probe.NOT_MOUNTED;
        }
        try {
            Libc.access(dir.toString(), Libc.F_OK);
            return Probe.LIVE;
        } catch (LastErrorException e) {
            return e.getErrorCode() == Errno.ENOTCONN ? Probe.DEAD : Probe.LIVE;
        }
    }

    /** Whether {@code dir} is the mount point of a filesystem of type {@code fsType}. */
    public static boolean mounted(Path dir, String fsType) {
        return MountTable.superOptions(dir, fsType).isPresent();
    }

    /**
     * The uid a FUSE mount of type {@code fsType} on {@code dir} belongs to (its {@code user_id}
     * option: who mounted it, and who may take it away besides root); empty if there is none.
     */
    public static OptionalInt owner(Path dir, String fsType) {
        for (String option : MountTable.superOptions(dir, fsType).orElse("").split(",")) {
            if (option.startsWith("user_id=")) {
                try {
                    return OptionalInt.of(Integer.parseInt(option.substring("user_id=".length())));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Unmounts {@code dir}; {@code lazy} detaches it now and lets current users finish. A user
     * other than root unmounts their own mount through fusermount3, as they mounted it.
     */
    public static Outcome<Void> unmount(Path dir, boolean lazy) {
        if (Libc.getuid() != 0) {
            return Fusermount.unmount(dir, lazy);
        }
        try {
            Libc.umount2(dir.toString(), lazy ? Libc.MNT_DETACH : 0);
            return Outcome.done(null);
        } catch (LastErrorException e) {
            return Outcome.failed(e.getErrorCode(), "umount2(2) refused");
        }
    }
}

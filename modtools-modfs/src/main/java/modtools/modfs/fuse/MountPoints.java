package modtools.modfs.fuse;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** What is mounted where, and taking it away: /proc/self/mountinfo and umount2(2). */
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
        return superOptions(dir, fsType).isPresent();
    }

    /**
     * The uid a FUSE mount of type {@code fsType} on {@code dir} belongs to (its {@code user_id}
     * option: who mounted it, and who may take it away besides root); empty if there is none.
     */
    public static OptionalInt owner(Path dir, String fsType) {
        for (String option : superOptions(dir, fsType).orElse("").split(",")) {
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

    /** The super options of the last mount of type {@code fsType} on {@code dir}, if there is one. */
    private static Optional<String> superOptions(Path dir, String fsType) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        String where = dir.toString();
        Optional<String> found = Optional.empty();
        for (String line : lines) {
            // "id parent major:minor root mountpoint options [optional...] - type source super"
            String[] fields = line.split(" ");
            int dash = line.indexOf(" - ");
            if (fields.length < 5 || dash < 0) {
                continue;
            }
            String[] tail = line.substring(dash + 3).split(" ");
            if (unescape(fields[4]).equals(where) && tail[0].equals(fsType)) {
                found = Optional.of(tail.length > 2 ? tail[2] : "");
            }
        }
        return found;
    }

    /** Unmounts {@code dir}; {@code lazy} detaches it now and lets current users finish. */
    public static Outcome<Void> unmount(Path dir, boolean lazy) {
        try {
            Libc.umount2(dir.toString(), lazy ? Libc.MNT_DETACH : 0);
            return Outcome.done(null);
        } catch (LastErrorException e) {
            return Outcome.failed(e.getErrorCode(), "umount2(2) refused");
        }
    }

    /** mountinfo writes space, tab, newline and backslash as three octal digits after a backslash. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1) && isOctal(field, i + 2) && isOctal(field, i + 3)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }
}

package modtools.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The mounts the kernel lists in /proc/self/mountinfo, as far as telling a mount point goes. */
public final class MountTable {
    private MountTable() {}

    /**
     * One mount: its mount ID and device as mountinfo numbers them (together they tell one
     * mount from a later one on the same place) and its super options.
     */
    public record Mount(String id, String device, String superOptions) {}

    /** The super options of the last mount of type {@code fsType} on {@code dir}, if there is one. */
    public static Optional<String> superOptions(Path dir, String fsType) {
        return find(dir, fsType).map(Mount::superOptions);
    }

    /** The last mount of type {@code fsType} on {@code dir}, if there is one. */
    public static Optional<Mount> find(Path dir, String fsType) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        String where = dir.toString();
        Optional<Mount> found = Optional.empty();
        for (String line : lines) {
            // "id parent major:minor root mountpoint options [optional...] - type source super"
            String[] fields = line.split(" ");
            int dash = line.indexOf(" - ");
            if (fields.length < 5 || dash < 0) {
                continue;
            }
            String[] tail = line.substring(dash + 3).split(" ");
            if (unescape(fields[4]).equals(where) && tail[0].equals(fsType)) {
                found = Optional.of(new Mount(fields[0], fields[2], tail.length > 2 ? tail[2] : ""));
            }
        }
        return found;
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

package modtools.deps.index;

import java.util.Optional;

/**
 * kmod's name normalisation: how an alias or a module name is turned into an index key.
 * Strings are byte strings (one char per byte, ISO-8859-1); like C strings they end at the
 * first NUL, and like kmod's fixed buffers they are cut at {@value #PATH_MAX} - 1 bytes.
 */
public final class AliasNormalizer {
    /** The size of kmod's name buffers. */
    public static final int PATH_MAX = 4096;

    private AliasNormalizer() {}

    /**
     * kmod's alias_normalize: '-' becomes '_' except inside a bracket expression
     * {@code [...]}, which is copied unchanged. Empty when a ']' has no '[' before it or a
     * '[' is never closed (kmod's -EINVAL, "Unmatched bracket").
     */
    public static Optional<String> normalizeAlias(String alias) {
        if (alias.length() < PATH_MAX && unchanged(alias)) {
            // most aliases: nothing to turn or check (depmod normalises tens of thousands)
            return Optional.of(alias);
        }
        StringBuilder out = new StringBuilder(Math.min(alias.length(), PATH_MAX));
        int i = 0;
        while (i < PATH_MAX - 1) {
            char c = charAt(alias, i);
            if (c == '\0') {
                break;
            }
            switch (c) {
                case '-':
                    out.append('_');
                    break;
                case ']':
                    return Optional.empty();
                case '[':
                    // kmod copies the whole bracket expression before it looks at the limit again
                    while (charAt(alias, i) != ']' && charAt(alias, i) != '\0') {
                        out.append(alias.charAt(i));
                        i++;
                    }
                    if (charAt(alias, i) != ']') {
                        return Optional.empty();
                    }
                    out.append(']');
                    break;
                default:
                    out.append(c);
                    break;
            }
            i++;
        }
        return Optional.of(out.toString());
    }

    /** Whether normalizeAlias leaves the text as it is: no '-', no brackets, no NUL. */
    private static boolean unchanged(String alias) {
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            if (c == '-' || c == '[' || c == ']' || c == '\0') {
                return false;
            }
        }
        return true;
    }

    /**
     * kmod's modname_normalize: '-' becomes '_', and the name ends at the first '.' (so a
     * file name such as {@code snd-hda-intel.ko.xz} gives {@code snd_hda_intel}).
     */
    public static String normalizeModname(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), PATH_MAX));
        for (int i = 0; i < PATH_MAX - 1; i++) {
            char c = charAt(name, i);
            if (c == '\0' || c == '.') {
                break;
            }
            out.append(c == '-' ? '_' : c);
        }
        return out.toString();
    }

    /**
     * kmod's path_to_modname: the normalised module name of the last path component. Empty
     * when that component is empty (the path ends with '/', or is empty).
     */
    public static Optional<String> modnameOfPath(String path) {
        int nul = path.indexOf('\0');
        String c = nul >= 0 ? path.substring(0, nul) : path;
        String base = c.substring(c.lastIndexOf('/') + 1);
        if (base.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(normalizeModname(base));
    }

    private static char charAt(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }
}

package modtools.deps.depmod;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which of two files of the same module name depmod keeps: kmod 30's
 * depmod_module_is_higher_priority, quirks included.
 *
 * <ul>
 * <li>An {@code override} decides first; the last matching line wins, and it matches the
 * path below the module directory up to the length of the module name, so it names the
 * module as the file does ({@code foo-bar}, not {@code foo_bar}).
 * <li>Otherwise each file ranks by the last {@code search} word (in file order: the first)
 * that holds it, the {@code external} word standing for every external directory; files under
 * no word rank as {@code built-in}, or lowest without that word. The new file must rank
 * strictly higher to replace the old one.
 * <li>Quirk: a word that holds the new file is not tried on the old one, so of two files under
 * the same word the old one usually falls to a lower rank and the later file replaces it;
 * two files under no word rank equal, and the first stays.
 * <li>The old path is absolute while the new one is as walked: a file in a relative external
 * directory matches that directory only as the new file.
 * </ul>
 */
final class SearchPriority {
    private final String moduleDirectory;
    private final List<DepmodConfig.Search> searches;
    private final List<DepmodConfig.ModuleOverride> overrides;
    private final List<String> externals;
    private final LogSink log;

    SearchPriority(String moduleDirectory, DepmodConfig config, LogSink log) {
        this.moduleDirectory = moduleDirectory;
        // kmod walks its lists newest first
        this.searches = newestFirst(config.searches());
        this.overrides = newestFirst(config.overrides());
        this.externals = newestFirst(config.externals());
        this.log = log;
    }

    static <T> List<T> newestFirst(List<T> inFileOrder) {
        List<T> list = new ArrayList<>(inFileOrder);
        Collections.reverse(list);
        return list;
    }

    /** A path as kmod measures it: the text, and a length that ends at the module name. */
    private record Measured(String path, int length) {
        boolean under(String dir) {
            return length > dir.length() && path.charAt(dir.length()) == '/' && path.startsWith(dir);
        }
    }

    /**
     * Whether {@code kept} beats the file at {@code newPath}, whose name starts at
     * {@code newBase} and whose module name is {@code nameLength} long.
     */
    boolean keptWins(ModuleSearch.FoundModule kept, String newPath, int newBase, int nameLength) {
        String oldPath = kept.path();
        Measured fresh = new Measured(newPath, newBase + nameLength);
        Measured old = new Measured(oldPath, oldPath.lastIndexOf('/') + 1 + kept.name().length());
        log.log(LogSink.Level.DEBUG, "comparing priorities of " + oldPath + " and " + newPath);
        Measured freshBelow = belowModuleDirectory(fresh);
        Measured oldBelow = belowModuleDirectory(old);

        for (DepmodConfig.ModuleOverride o : overrides) {
            String path = o.path();
            log.log(LogSink.Level.DEBUG, "override " + path);
            if (freshBelow != null && freshBelow.length() == path.length() && freshBelow.path().startsWith(path)) {
                return false;
            }
            if (oldBelow != null && oldBelow.length() == path.length() && oldBelow.path().startsWith(path)) {
                return true;
            }
        }

        int builtin = -1;
        int oldRank = -1;
        int freshRank = -1;
        int i = 0;
        for (DepmodConfig.Search s : searches) {
            log.log(LogSink.Level.DEBUG, "search " + s.word());
            switch (s.kind()) {
                case BUILT_IN -> builtin = i;
                case EXTERNAL -> {
                    for (String dir : externals) {
                        if (fresh.under(dir)) {
                            freshRank = i;
                        }
                        if (old.under(dir)) {
                            oldRank = i;
                        }
                        i++;
                    }
                }
                case SUBDIR -> {
                    if (freshBelow != null && freshBelow.under(s.subdir())) {
                        freshRank = i;
                    } else if (oldBelow != null && oldBelow.under(s.subdir())) {
                        oldRank = i;
                    }
                }
            }
            i++;
        }
        if (freshRank < 0) {
            freshRank = builtin;
        }
        if (oldRank < 0) {
            oldRank = builtin;
        }
        log.log(LogSink.Level.DEBUG, "priorities: built-in: " + builtin + ", old: " + oldRank + ", new: " + freshRank);
        return freshRank <= oldRank;
    }

    /**
     * The part after the module directory and one more byte, when the path starts with the
     * module directory's text (kmod checks no '/' there).
     */
    private Measured belowModuleDirectory(Measured m) {
        if (!m.path().startsWith(moduleDirectory)) {
            return null;
        }
        int skip = Math.min(moduleDirectory.length() + 1, m.path().length());
        return new Measured(m.path().substring(skip), m.length() - (moduleDirectory.length() + 1));
    }
}

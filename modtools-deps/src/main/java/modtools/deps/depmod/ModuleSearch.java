package modtools.deps.depmod;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import modtools.elf.module.ModuleFile;

/**
 * The modules depmod indexes: kmod 30's depmod_modules_search. It walks the module directory,
 * then each external directory (newest {@code external} line first), in readdir order; skips
 * {@code build}, {@code source} and the {@code exclude} names at any depth (files too);
 * follows symbolic links to files and directories; takes files whose names end in a module
 * extension; and keeps one file per module name by {@link SearchPriority}.
 *
 * <p>Where we differ on purpose: a directory that is its own ancestor (a symbolic link loop)
 * is reported and not entered, where kmod recurses until it runs out of file descriptors;
 * and {@code .ko.gz} counts as a module extension, as in a kmod built with zlib.
 */
public final class ModuleSearch {
    /**
     * A chosen module file.
     *
     * @param name    the module name taken from the file name
     * @param path    the absolute path (kmod makes a relative external directory absolute
     *                against the working directory, without resolving "..")
     * @param relpath the path below the module directory, or null for a file outside it
     */
    public record FoundModule(String name, String path, String relpath) {}

    /** A module directory that cannot be read, which ends kmod's depmod. */
    public static final class UnreadableDirectoryException extends Exception {
        private final String directory;
        private final String reason;

        UnreadableDirectoryException(String directory, String reason) {
            super(directory + ": " + reason);
            this.directory = directory;
            this.reason = reason;
        }

        public String directory() {
            return directory;
        }

        /** strerror() of the failure, which kmod's "could not search modules: %s" prints. */
        public String reason() {
            return reason;
        }
    }

    /** kmod's first directory descriptor; one more per level it descends. */
    private static final int FIRST_DIRECTORY_FD = 3;
    /** Paths this long (PATH_MAX with its NUL) fail kmod's stat() with ENAMETOOLONG. */
    private static final int PATH_MAX = 4096;
    private static final String ELOOP = "Too many levels of symbolic links";

    private final String moduleDirectory;
    private final Set<String> excluded = new HashSet<>();
    private final String cwd;
    private final Path cwdPath;
    private final LogSink log;
    private final SearchPriority priority;
    /** The modules by name, in the order kmod's hash received them: a replacement goes last. */
    private final Map<String, FoundModule> byName = new LinkedHashMap<>();
    private Listener listener;

    private ModuleSearch(String moduleDirectory, DepmodConfig config, Path cwd, LogSink log) {
        this.moduleDirectory = moduleDirectory;
        // kmod also skips "." and "..", which the JDK never lists
        this.excluded.addAll(List.of("build", "source"));
        this.excluded.addAll(config.excludes());
        this.cwd = ByteStrings.of(cwd);
        this.cwdPath = cwd;
        this.log = log;
        this.priority = new SearchPriority(moduleDirectory, config, log);
    }

    /**
     * The modules under {@code moduleDirectory} (kmod's BASEDIR/lib/modules/VERSION, a byte
     * string) and the external directories of {@code config}, in the order kmod added them to
     * its module-name hash. {@code cwd} stands for the working directory relative external
     * directories are read from. Messages go to {@code log}; a missing external directory is
     * reported and skipped.
     *
     * @throws UnreadableDirectoryException when the module directory cannot be opened (after
     *                                      kmod's "could not open directory" error)
     */
    public static List<FoundModule> search(String moduleDirectory, DepmodConfig config, Path cwd, LogSink log)
            throws UnreadableDirectoryException {
        return search(moduleDirectory, config, cwd, log, null);
    }

    /** Told of each module as the walk finds it (a later one of the same name may replace it). */
    public interface Listener {
        /** A module file of {@code size} bytes (the size of the file a link leads to). */
        void found(String path, long size);
    }

    /** As {@link #search(String, DepmodConfig, Path, LogSink)}, telling {@code listener} (if not null) along the way. */
    public static List<FoundModule> search(String moduleDirectory, DepmodConfig config, Path cwd, LogSink log,
                                           Listener listener) throws UnreadableDirectoryException {
        ModuleSearch search = new ModuleSearch(moduleDirectory, config, cwd, log);
        search.listener = listener;
        String failure = search.searchPath(moduleDirectory);
        if (failure != null) {
            throw new UnreadableDirectoryException(moduleDirectory, failure);
        }
        for (String external : SearchPriority.newestFirst(config.externals())) {
            search.searchPath(external);
        }
        return List.copyOf(search.byName.values());
    }

    /** depmod_modules_search_path; the strerror() text when the directory cannot be opened. */
    private String searchPath(String path) {
        DirectoryStream<Path> stream;
        try {
            stream = Files.newDirectoryStream(cwdPath.resolve(ByteStrings.path(path)));
        } catch (IOException e) {
            String reason = ByteStrings.strerror(e);
            log.log(LogSink.Level.ERROR, "could not open directory " + path + ": " + reason);
            return reason;
        }
        if (!(stream instanceof SecureDirectoryStream<Path> dir)) {
            close(stream);
            throw new UnsupportedOperationException("this platform offers no openat(2)-style directory streams");
        }
        try (dir) {
            Set<Object> ancestors = new HashSet<>();
            ancestors.add(dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey());
            walk(dir, path + "/", FIRST_DIRECTORY_FD, ancestors);
        } catch (IOException e) {
            // fstat of an open directory or its close failed: nothing kmod would report
        }
        return null;
    }

    private static void close(DirectoryStream<Path> stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // nothing was read from it
        }
    }

    /**
     * depmod_modules_search_dir over the open directory {@code dir}, whose path (ending in
     * '/') is {@code base} and which kmod holds as descriptor {@code fd}.
     */
    private void walk(SecureDirectoryStream<Path> dir, String base, int fd, Set<Object> ancestors) {
        try {
            for (Path entry : dir) {
                Path name = entry.getFileName();
                String text = ByteStrings.of(name);
                if (!excluded.contains(text)) {
                    visit(dir, entry, name, base, text, fd, ancestors);
                }
            }
        } catch (DirectoryIteratorException e) {
            // readdir failed midway: kmod's loop just ends there
        }
    }

    private void visit(SecureDirectoryStream<Path> dir, Path entry, Path name, String base, String text, int fd,
                       Set<Object> ancestors) {
        String path = base + text;
        BasicFileAttributes attributes;
        try {
            // kmod trusts readdir's d_type for files and directories and stats (following links)
            // anything else; Java has no d_type, and a following stat gives the same answer for both.
            attributes = dir.getFileAttributeView(name, BasicFileAttributeView.class).readAttributes();
        } catch (IOException e) {
            log.log(LogSink.Level.ERROR, "fstatat(" + fd + ", " + text + "): " + ByteStrings.strerror(e));
            return;
        }
        if (attributes.isRegularFile()) {
            file(path, base.length(), text, attributes.size());
        } else if (attributes.isDirectory()) {
            directory(dir, name, path, text, fd, attributes.fileKey(), ancestors);
        } else {
            unsupported(entry, path, text, fd);
        }
    }

    private void directory(SecureDirectoryStream<Path> dir, Path name, String path, String text, int fd, Object key,
                           Set<Object> ancestors) {
        String opening = "openat(" + fd + ", " + text + ", O_RDONLY): ";
        if (key != null && !ancestors.add(key)) {
            log.log(LogSink.Level.ERROR, opening + ELOOP);
            return;
        }
        try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name)) {
            walk(sub, path + "/", fd + 1, ancestors);
        } catch (IOException e) {
            log.log(LogSink.Level.ERROR, opening + ByteStrings.strerror(e));
        } finally {
            ancestors.remove(key);
        }
    }

    /** A FIFO, socket or device (or a link to one): kmod names its type bits in octal. */
    private void unsupported(Path entry, String path, String text, int fd) {
        try {
            int mode = (Integer) Files.getAttribute(entry, "unix:mode");
            log.log(LogSink.Level.ERROR, "unsupported file type " + path + ": " + Integer.toOctalString(mode & 0170000));
        } catch (IOException e) {
            log.log(LogSink.Level.ERROR, "fstatat(" + fd + ", " + text + "): " + ByteStrings.strerror(e));
        }
    }

    /** depmod_modules_search_file: {@code path} as walked, its file name starting at {@code base}, {@code size} bytes long. */
    private void file(String path, int base, String fileName, long size) {
        if (!ModuleFile.hasModuleExtension(fileName)) {
            return;
        }
        String name = ModuleFile.moduleNameOf(path).orElseThrow();
        // kmod prints whatever lies past the module directory's length, even for external paths
        String shown = path.substring(Math.min(moduleDirectory.length() + 1, path.length()));
        log.log(LogSink.Level.DEBUG, "try " + shown + " (" + name + ")");
        FoundModule kept = byName.get(name);
        if (kept != null) {
            if (priority.keptWins(kept, path, base, name.length())) {
                log.log(LogSink.Level.DEBUG, "Ignored lower priority: " + path + ", higher: " + kept.path());
                return;
            }
            log.log(LogSink.Level.DEBUG, "Replace lower priority " + (kept.relpath() == null ? "(null)" : kept.relpath())
                    + " with new module " + shown);
            byName.remove(name);
        }
        String absolute = path.startsWith("/") ? path : cwd + "/" + path;
        if (absolute.length() >= PATH_MAX) {
            // kmod has dropped the module it replaces by now
            log.log(LogSink.Level.ERROR, "could not create module " + path + ": File name too long");
            log.log(LogSink.Level.ERROR, "failed " + path + ": File name too long");
            return;
        }
        byName.put(name, new FoundModule(name, absolute, relativePath(absolute)));
        if (listener != null) {
            listener.found(absolute, size);
        }
    }

    /** depmod_module_add: the path below the module directory, or null outside it. */
    private String relativePath(String absolute) {
        int n = moduleDirectory.length();
        return absolute.length() > n && absolute.charAt(n) == '/' && absolute.startsWith(moduleDirectory)
                ? absolute.substring(n + 1) : null;
    }
}

package modtools.deps.depmod;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Which depmod.d files kmod reads, in which order (cfg_files_list and friends): every path is a
 * file or a directory; in a directory only {@code *.conf} files count, hidden names are skipped
 * silently, other names and directories with a message; all files are sorted by their name
 * alone, and a name already taken, by an earlier path or earlier in the same listing, shadows
 * the later file of that name.
 */
final class ConfigFiles {
    /** A file to read: its base name (the sort key) and the path kmod opens and prints. */
    record ConfigFile(String name, String path) {}

    /**
     * The files to read, in order, and every path the listing looked at: each path given (a
     * directory for its entries, a missing one for its absence) and each entry of a directory.
     */
    record Listing(List<ConfigFile> files, List<Path> consulted) {}

    private final Path cwd;
    private final LogSink log;
    private final List<ConfigFile> files = new ArrayList<>();
    private final List<Path> consulted = new ArrayList<>();

    private ConfigFiles(Path cwd, LogSink log) {
        this.cwd = cwd;
        this.log = log;
    }

    /** The files named by {@code paths} (byte strings; relative ones are taken from {@code cwd}). */
    static Listing list(List<String> paths, Path cwd, LogSink log) {
        ConfigFiles list = new ConfigFiles(cwd, log);
        for (String path : paths) {
            list.add(path);
        }
        return new Listing(list.files, list.consulted);
    }

    private void add(String path) {
        Path file = cwd.resolve(ByteStrings.path(path));
        consulted.add(file);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            log.log(LogSink.Level.DEBUG, "could not stat '" + path + "': " + ByteStrings.strerror(e));
            return;
        }
        if (!attributes.isDirectory()) {
            // kmod splits at the last '/' and later joins the parts again; it crashes on a
            // name without any '/', which we simply read
            insert(path.substring(path.lastIndexOf('/') + 1), path);
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(file)) {
            for (Path entry : entries) {
                String name = ByteStrings.of(entry.getFileName());
                consulted.add(entry);
                if (name.startsWith(".")) {
                    continue;
                }
                if (name.length() < 6 || !name.endsWith(".conf")) {
                    log.log(LogSink.Level.INFO, "All cfg files need .conf: " + path + "/" + name);
                    continue;
                }
                // kmod ignores a failed stat here and reads a dangling link as a file
                if (Files.isDirectory(entry)) {
                    log.log(LogSink.Level.ERROR, "Directories inside directories are not supported: " + path + "/" + name);
                    continue;
                }
                insert(name, path + "/" + name);
            }
        } catch (IOException e) {
            log.log(LogSink.Level.ERROR, "files list " + path + ": " + ByteStrings.strerror(e));
            return;
        } catch (DirectoryIteratorException e) {
            // readdir failed midway: kmod's loop just ends there
        }
        log.log(LogSink.Level.DEBUG, "parsed configuration files from " + path);
    }

    /** cfg_files_insert_sorted: strcmp order of the names, the first file of a name wins. */
    private void insert(String name, String path) {
        int i = 0;
        for (; i < files.size(); i++) {
            int cmp = name.compareTo(files.get(i).name());
            if (cmp == 0) {
                log.log(LogSink.Level.DEBUG, "Ignoring duplicate config file: " + path);
                return;
            }
            if (cmp < 0) {
                break;
            }
        }
        files.add(i, new ConfigFile(name, path));
    }
}

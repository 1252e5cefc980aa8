package modtools.deps.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;

/**
 * Which configuration files kmod reads, and in which order (kmod_config_new): the module
 * directory's modules.softdep (and modules.weakdep, where the level has weak dependencies)
 * first, then every path in turn — a directory contributes its {@code *.conf} files (and
 * {@code *.alias} files, where the level reads them) that are not hidden, any other path is
 * read itself whatever its name. Files are sorted by name across all paths, and a name already
 * taken shadows later files of the same name. A path that does not exist is skipped.
 */
final class ConfigFiles {
    /** A file to read: {@code path} as kmod spells it (messages name it so), {@code name} its sort key. */
    record ConfigFile(String path, String name) {}

    private final KmodLevel level;
    private final Path cwd;
    private final Consumer<LibkmodMessage> messages;
    private final List<ConfigFile> files = new ArrayList<>();
    private final List<Path> consulted = new ArrayList<>();

    ConfigFiles(KmodLevel level, Path cwd, Consumer<LibkmodMessage> messages) {
        this.level = level;
        this.cwd = cwd;
        this.messages = messages;
    }

    List<ConfigFile> list(String moduleDirectory, List<String> paths) {
        insert(moduleDirectory + "/modules.softdep", "modules.softdep");
        if (level.weakdeps()) {
            insert(moduleDirectory + "/modules.weakdep", "modules.weakdep");
        }
        for (String path : paths) {
            Path p = cwd.resolve(path);
            consulted.add(p);
            if (!Files.exists(p)) {
                continue;
            }
            if (!Files.isDirectory(p)) {
                insert(path, path.substring(path.lastIndexOf('/') + 1));
                continue;
            }
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                entries.forEach(e -> names.add(e.getFileName().toString()));
            } catch (IOException e) {
                messages.accept(LibkmodMessage.error("libkmod-config.c", 868, "conf_files_list",
                        "opendir(" + path + "): " + e.getMessage()));
                continue;
            }
            for (String name : names) {
                if (isConfigName(name)) {
                    if (Files.isDirectory(p.resolve(name))) {
                        consulted.add(p.resolve(name));
                        messages.accept(LibkmodMessage.error("libkmod-config.c", 772, "conf_files_filter_out",
                                "Directories inside directories are not supported: " + path + "/" + name));
                    } else {
                        insert(path + "/" + name, name);
                    }
                }
            }
        }
        return files;
    }

    /**
     * Every path the listing looked at: each path given (a directory for its entries, a
     * missing one for its absence) and each file listed, read or shadowed.
     */
    List<Path> consulted() {
        return consulted;
    }

    private boolean isConfigName(String name) {
        return !name.startsWith(".") && name.length() >= 6
                && (name.endsWith(".conf") || level.readsAliasFiles() && name.endsWith(".alias"));
    }

    /** Sorted by name as strcmp orders them; the first file of a name wins. */
    private void insert(String path, String name) {
        consulted.add(cwd.resolve(path));
        int i = 0;
        while (i < files.size() && files.get(i).name().compareTo(name) < 0) {
            i++;
        }
        if (i < files.size() && files.get(i).name().equals(name)) {
            return;
        }
        files.add(i, new ConfigFile(path, name));
    }
}

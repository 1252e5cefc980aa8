package modtools.load.modfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.contract.ModfsFiles;
import modtools.contract.ModuleState;
import modtools.contract.ModuleStatus;
import modtools.contract.ModuleSymbols;
import modtools.load.info.ModuleInfo;

/**
 * A mounted modfs as the loader sees it: plain files (docs/modfs.md). Reads here take no locks;
 * the loader and rmmod lock {@code info} themselves where an answer must hold.
 */
final class ModfsMount {
    /** Status and info files are small; a larger info is not one of ours. */
    private static final int READ_LIMIT = 1 << 20;

    private final Path root;

    ModfsMount(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path symbols() {
        return root.resolve(ModfsFiles.SYMBOLS);
    }

    String dir(String module) {
        return root.resolve(module).toString();
    }

    String infoPath(String module) {
        return dir(module) + "/" + ModfsFiles.INFO;
    }

    String control(String module) {
        return dir(module) + "/" + ModfsFiles.CONTROL;
    }

    String file(String module, String file) {
        return dir(module) + "/" + file;
    }

    /** The host's release, the first line of {@code version}. */
    String version() throws IOException {
        String text = read(root.resolve(ModfsFiles.VERSION)).orElseThrow(() -> new IOException(root + "/" + ModfsFiles.VERSION + ": missing"));
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    boolean exists(String module) {
        return Files.isDirectory(root.resolve(module));
    }

    /**
     * The module directories, by inode number: the order they were made in. A directory that
     * changes while it is read may list a name twice (modfs answers each readdir(3) request
     * from the entries it has then), so each name counts once.
     */
    List<String> modules() throws IOException {
        List<long[]> order = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (ModfsFiles.isHostFile(name) || names.contains(name)) {
                    continue;
                }
                try {
                    order.add(new long[] {Sys.inode(p.toString()), names.size()});
                    names.add(name);
                } catch (Sys.SysError e) {
                    // gone since the listing
                }
            }
        }
        order.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
        List<String> sorted = new ArrayList<>();
        for (long[] o : order) {
            sorted.add(names.get((int) o[1]));
        }
        return sorted;
    }

    /** The module files of a directory: every entry but the ones mkdir makes. */
    List<String> moduleFiles(String module) throws IOException {
        List<String> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root.resolve(module))) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!ModfsFiles.DIRECTORY_FILES.contains(name)) {
                    files.add(name);
                }
            }
        }
        files.sort(null);
        return files;
    }

    Optional<ModuleStatus> status(String module) {
        return status(module, ModfsFiles.MODULE);
    }

    Optional<ModuleStatus> status(String module, String file) {
        try {
            return read(root.resolve(module).resolve(file)).flatMap(ModuleStatus::parse);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The module's info if it holds a complete record. */
    Optional<ModuleInfo> info(String module) {
        try {
            return read(root.resolve(module).resolve(ModfsFiles.INFO)).flatMap(ModuleInfo::parse);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A loaded module's symbols, as its loader wrote them. */
    Optional<ModuleSymbols> symbols(String module) {
        if (info(module).isEmpty()) {
            return Optional.empty();
        }
        try {
            return read(root.resolve(module).resolve(ModfsFiles.KALLSYMS)).map(t -> ModuleSymbols.parse(module, t));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Loaded: a complete info and a live module. */
    boolean complete(String module) {
        return info(module).isPresent() && status(module).filter(s -> s.is(ModuleState.LIVE)).isPresent();
    }

    /** The modules whose info lists {@code module} as a dependency, by name. */
    List<String> holders(String module) throws IOException {
        List<String> holders = new ArrayList<>();
        for (String other : modules()) {
            if (!other.equals(module) && info(other).filter(i -> i.dependencies().contains(module)).isPresent()) {
                holders.add(other);
            }
        }
        holders.sort(null);
        return holders;
    }

    /** A small file's text (a status or an info), or empty when it does not exist. */
    static Optional<String> read(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(READ_LIMIT);
            return Optional.of(new String(bytes, StandardCharsets.ISO_8859_1));
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return Optional.empty();
        }
    }
}

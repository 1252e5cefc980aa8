package modtools.load.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import modtools.contract.ModuleSymbols;
import modtools.contract.MountPath;
import modtools.contract.MountTable;

/**
 * The symbols of the last {@value #KEPT} modules removed from one modfs mount, kept where the
 * loader keeps its state so that addresses of a module gone can still be named
 * (docs/loader.md, "Symbols after unload"): {@code $MODTOOLS_STATE_DIR}, else
 * {@code $XDG_RUNTIME_DIR/modtools}, else {@code /run/modtools}; under it
 * {@code unloaded/MOUNT/}, one directory per mount (its place, mount ID and device, so a later
 * mount on the same place starts empty), one file per module removed. Whoever opens the store
 * removes the directories of mounts that are gone.
 */
public final class UnloadedSymbols {
    public static final int KEPT = 64;
    public static final String STATE_DIR = "MODTOOLS_STATE_DIR";
    private static final String MOUNT_FILE = "mount";

    /** A module removed, its symbols and when it went. */
    public record Unloaded(ModuleSymbols symbols, Instant when) {}

    private final Path dir;

    UnloadedSymbols(Path dir) {
        this.dir = dir;
    }

    /** Where the loader keeps its state, by the environment. */
    public static Path stateDir(Map<String, String> env) {
        String given = env.get(STATE_DIR);
        if (given != null && !given.isEmpty()) {
            return Path.of(given);
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        return runtime != null && !runtime.isEmpty() ? Path.of(runtime, "modtools") : Path.of("/run/modtools");
    }

    /** The store of the modfs mounted at {@code mount}, the stores of mounts gone removed; empty where there is none. */
    public static Optional<UnloadedSymbols> open(Path state, Path mount) {
        Optional<MountTable.Mount> m = MountTable.find(mount, MountPath.FS_TYPE);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        Path all = state.resolve("unloaded");
        String key = (mount + "@" + m.get().id() + "-" + m.get().device()).replace('/', '_').replace(':', '.');
        removeStale(all);
        Path dir = all.resolve(key);
        try {
            Files.createDirectories(dir);
            Path mountFile = dir.resolve(MOUNT_FILE);
            if (!Files.exists(mountFile)) {
                Files.writeString(mountFile, mount + "\n" + m.get().id() + "\n" + m.get().device() + "\n",
                        StandardCharsets.ISO_8859_1);
            }
        } catch (IOException e) {
            return Optional.empty(); // no place for state: modules removed are forgotten, as without us
        }
        return Optional.of(new UnloadedSymbols(dir));
    }

    /** Removes the store of every mount that is no longer mounted as it was. */
    private static void removeStale(Path all) {
        if (!Files.isDirectory(all)) {
            return;
        }
        try (DirectoryStream<Path> stores = Files.newDirectoryStream(all)) {
            for (Path store : stores) {
                List<String> mount = Files.readAllLines(store.resolve(MOUNT_FILE), StandardCharsets.ISO_8859_1);
                Optional<MountTable.Mount> now = mount.size() < 3 ? Optional.empty()
                        : MountTable.find(Path.of(mount.get(0)), MountPath.FS_TYPE);
                if (now.isEmpty() || !now.get().id().equals(mount.get(1)) || !now.get().device().equals(mount.get(2))) {
                    delete(store);
                }
            }
        } catch (IOException e) {
            // a store another loader removes at the same time; the next one tries again
        }
    }

    /** Records a module just removed; the oldest beyond {@value #KEPT} go. */
    public void record(ModuleSymbols symbols, Instant when) throws IOException {
        String text = "module " + symbols.module() + "\nunloaded " + when.truncatedTo(ChronoUnit.SECONDS) + "\n"
                + symbols.text();
        Path tmp = Files.createTempFile(dir, ".record", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.ISO_8859_1);
            Files.move(tmp, dir.resolve(String.format("%019d-%s", when.getEpochSecond() * 1_000_000_000L + when.getNano(),
                    symbols.module())), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        List<Path> records = records();
        for (int i = 0; i < records.size() - KEPT; i++) {
            Files.deleteIfExists(records.get(i));
        }
    }

    /** The modules removed, most recent first. */
    public List<Unloaded> all() throws IOException {
        List<Unloaded> out = new ArrayList<>();
        List<Path> records = records();
        for (int i = records.size() - 1; i >= 0; i--) {
            parse(Files.readString(records.get(i), StandardCharsets.ISO_8859_1)).ifPresent(out::add);
        }
        return out;
    }

    private List<Path> records() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Character.isDigit(p.getFileName().toString().charAt(0)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    private static Optional<Unloaded> parse(String text) {
        String[] head = text.split("\n", 3);
        if (head.length < 3 || !head[0].startsWith("module ") || !head[1].startsWith("unloaded ")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Unloaded(ModuleSymbols.parse(head[0].substring(7), head[2]),
                    Instant.parse(head[1].substring(9))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}

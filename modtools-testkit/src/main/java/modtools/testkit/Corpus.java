package modtools.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real Debian module trees the tests run on. The repository's scripts fetch them into a
 * cache outside the repository (never committed); a test asks for one and gets its root,
 * which holds lib/modules/VERSION.
 */
public final class Corpus {
    private Corpus() {}

    /** The repository root: surefire says it in modtools.root; else the nearest parent with the scripts. */
    public static Path repoRoot() {
        String root = System.getProperty("modtools.root");
        if (root != null && Files.exists(Path.of(root, "scripts/fetch-corpus"))) {
            return Path.of(root);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("scripts/fetch-corpus"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (scripts/fetch-corpus)");
    }

    /** Debian's cloud kernel tree (about 1,100 modules). */
    public static Path cloud() {
        return Path.of(script("fetch-corpus", "cloud"));
    }

    /** Debian's full amd64 kernel tree (about 4,000 modules). */
    public static Path full() {
        return Path.of(script("fetch-corpus", "full"));
    }

    /** The cloud tree with every module recompressed: {@code kind} is xz, zst or gz. */
    public static Path cloud(String kind) {
        return Path.of(script("corpus-variant", "cloud", kind));
    }

    /** Debian 13's amd64 kernel tree (about 4,200 modules, shipped as .ko.xz). */
    public static Path trixie() {
        return Path.of(script("fetch-corpus", "trixie"));
    }

    /** Debian 13's tree with every module recompressed: {@code kind} is xz, zst or gz. */
    public static Path trixie(String kind) {
        return Path.of(script("corpus-variant", "trixie", kind));
    }

    public static String version(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("lib/modules"))) {
            List<String> names = new ArrayList<>();
            for (Path p : s.toList()) {
                names.add(p.getFileName().toString());
            }
            names.sort(null);
            if (names.isEmpty()) {
                throw new IllegalStateException("no kernel version under " + root.resolve("lib/modules"));
            }
            return names.get(0);
        }
    }

    /** Every file under the tree whose name ends in {@code suffix}, as sorted absolute paths. */
    public static List<String> modules(Path root, String suffix) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root.resolve("lib/modules"))) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().endsWith(suffix)) {
                    out.add(p.toString());
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * {@code base}/lib/modules/VERSION as real directories with the corpus files linked, so a
     * depmod can write its indexes there without touching the cache. Returns the module directory.
     */
    public static Path linkedCopy(Path corpusRoot, String version, Path base) throws IOException {
        Path tree = base.resolve("lib/modules").resolve(version);
        Files.createDirectories(tree.getParent());
        Processes.Result copy = Processes.run(List.of("cp", "-as",
                corpusRoot.resolve("lib/modules").resolve(version).toString(), tree.toString()));
        if (copy.status() != 0) {
            throw new IOException("cp -as failed: " + copy.stderrText());
        }
        return tree;
    }

    /** Removes a linked copy; JUnit's own clean-up warns about every link leaving its directory. */
    public static void removeCopy(Path base) {
        Processes.run(List.of("rm", "-rf", base.resolve("lib").toString()));
    }

    static String script(String name, String... args) {
        List<String> command = new ArrayList<>();
        command.add(repoRoot().resolve("scripts").resolve(name).toString());
        command.addAll(List.of(args));
        Processes.Result r = Processes.run(command);
        if (r.status() != 0) {
            throw new IllegalStateException(name + " failed: " + r.stderrText());
        }
        return r.stdoutText().strip();
    }
}

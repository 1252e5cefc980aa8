package modtools.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The real Debian module tree the differential tests run on, fetched into a cache by the repo's scripts. */
public final class Corpus {
    private Corpus() {}

    public static Path repoRoot() {
        String root = System.getProperty("modtools.root");
        if (root != null) {
            return Path.of(root);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("scripts/fetch-corpus"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (scripts/fetch-corpus)");
    }

    /** The root of the plain cloud tree (it holds lib/modules/VERSION). */
    public static Path cloud() {
        return Path.of(script("fetch-corpus", "cloud"));
    }

    /** The cloud tree with every module recompressed: kind is xz, zst or gz. */
    public static Path cloud(String kind) {
        return Path.of(script("corpus-variant", "cloud", kind));
    }

    public static String version(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("lib/modules"))) {
            return s.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
    }

    /** Every module file under the tree, sorted, as absolute paths. */
    public static List<String> modules(Path root, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(root.resolve("lib/modules"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).map(Path::toString).sorted().toList();
        }
    }

    private static String script(String name, String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(repoRoot().resolve("scripts").resolve(name).toString());
        command.addAll(List.of(args));
        Tool.Result r = Tool.run(command);
        if (r.status() != 0) {
            throw new IllegalStateException(name + " failed: " + r.stderrText());
        }
        return r.stdoutText().strip();
    }
}

package modtools.deps.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import modtools.testkit.Processes;

/** The reference kmod 30 tools, the real module tree, and temporary module trees. */
final class Kmod {
    static final String DEPMOD = "/usr/sbin/depmod";
    static final String MODPROBE = "/usr/sbin/modprobe";
    /** A config alias that answers in every batch, so batched answers can be told apart. */
    static final String SENTINEL = "modtools_index_sentinel";

    private Kmod() {}

    static boolean available() {
        return Files.isExecutable(Path.of(DEPMOD)) && Files.isExecutable(Path.of(MODPROBE));
    }

    /**
     * A private copy of the corpus under dir: lib/modules/VERSION is a real directory whose
     * entries link to the cache, so depmod writes its indexes here and not into the cache.
     */
    static Path linkedTree(Path corpus, String version, Path dir) throws IOException {
        Path from = corpus.resolve("lib/modules").resolve(version);
        Path to = dir.resolve("lib/modules").resolve(version);
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".bin") || name.equals("modules.dep") || name.equals("modules.alias")
                        || name.equals("modules.symbols") || name.equals("modules.softdep")
                        || name.equals("modules.devname")) {
                    continue; // depmod's outputs
                }
                Files.createSymbolicLink(to.resolve(name), p);
            }
        }
        return dir;
    }

    static void depmod(Path root, String version) {
        Processes.Result r = Processes.run(List.of(DEPMOD, "-b", root.toString(), version));
        if (r.status() != 0) {
            throw new IllegalStateException("depmod failed: " + r.stderrText());
        }
    }

    /** A config directory whose only line is the sentinel alias. */
    static Path sentinelConfig(Path dir) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("modprobe.d"));
        Files.writeString(conf.resolve("sentinel.conf"), "alias " + SENTINEL + " " + SENTINEL + "\n");
        return conf;
    }

    /**
     * What {@code modprobe -R} prints for each name (one module per line), asked in batches
     * of {@code modprobe -a -R NAME SENTINEL NAME SENTINEL ...}.
     */
    static List<List<String>> resolveAliases(Path root, String version, Path config, List<String> names) {
        List<List<String>> answers = new ArrayList<>();
        int batch = 400;
        for (int from = 0; from < names.size(); from += batch) {
            List<String> part = names.subList(from, Math.min(names.size(), from + batch));
            List<String> command = new ArrayList<>(List.of(MODPROBE, "-C", config.toString(), "-d", root.toString(),
                    "-S", version, "-a", "-R", "--"));
            for (String n : part) {
                command.add(n);
                command.add(SENTINEL);
            }
            Processes.Result r = Processes.run(command);
            List<String> current = new ArrayList<>();
            for (String line : r.stdoutText().split("\n", -1)) {
                if (line.equals(SENTINEL)) {
                    answers.add(current);
                    current = new ArrayList<>();
                } else if (!line.isEmpty()) {
                    current.add(line);
                }
            }
            if (!current.isEmpty() || answers.size() != from + part.size()) {
                throw new IllegalStateException("cannot split modprobe's answers: " + r.stdoutText() + r.stderrText());
            }
        }
        return answers;
    }
}

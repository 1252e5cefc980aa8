package modtools.deps.index;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** The reference kmod 30 tools, the real module tree, and temporary module trees. */
final class Kmod {
    static final String DEPMOD = "/usr/sbin/depmod";
    static final String MODPROBE = "/usr/sbin/modprobe";
    /** A config alias that answers in every batch, so batched answers can be told apart. */
    static final String SENTINEL = "modtools_index_sentinel";

    private Kmod() {}

    record Result(int status, String stdout, String stderr) {}

    static boolean available() {
        return Files.isExecutable(Path.of(DEPMOD)) && Files.isExecutable(Path.of(MODPROBE));
    }

    static Result run(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().remove("MODPROBE_OPTIONS");
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            int status = p.waitFor();
            return new Result(status, new String(out, StandardCharsets.ISO_8859_1),
                    new String(err.join(), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path repoRoot() {
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

    /** The cached Debian cloud kernel tree (holds lib/modules/VERSION). */
    static Path cloudCorpus() {
        Result r = run(List.of(repoRoot().resolve("scripts/fetch-corpus").toString(), "cloud"));
        if (r.status() != 0) {
            throw new IllegalStateException("fetch-corpus failed: " + r.stderr());
        }
        return Path.of(r.stdout().strip());
    }

    static String version(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("lib/modules"))) {
            return s.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
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
        Result r = run(List.of(DEPMOD, "-b", root.toString(), version));
        if (r.status() != 0) {
            throw new IllegalStateException("depmod failed: " + r.stderr());
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
            Result r = run(command);
            List<String> current = new ArrayList<>();
            for (String line : r.stdout().split("\n", -1)) {
                if (line.equals(SENTINEL)) {
                    answers.add(current);
                    current = new ArrayList<>();
                } else if (!line.isEmpty()) {
                    current.add(line);
                }
            }
            if (!current.isEmpty() || answers.size() != from + part.size()) {
                throw new IllegalStateException("cannot split modprobe's answers: " + r.stdout() + r.stderr());
            }
        }
        return answers;
    }
}

package modtools.deps.depmod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import modtools.deps.KmodLevel;
import modtools.deps.cache.ReadCache;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;

/**
 * A small module tree for depmod under a temporary directory, built from one real module of
 * the corpus, and the means to run kmod's depmod and ours over it.
 */
final class DepmodFixture {
    static final String DEPMOD = "/usr/sbin/depmod";
    static final String VERSION = "6.1.0-99-test";

    private static Path sample;

    final Path root;
    final Path base;
    final String moduleDirectory;

    DepmodFixture(Path root) throws IOException {
        this.root = root;
        this.base = root.resolve("b");
        this.moduleDirectory = base + "/lib/modules/" + VERSION;
        Files.createDirectories(Path.of(moduleDirectory));
    }

    static boolean kmodAvailable() {
        return Files.isExecutable(Path.of(DEPMOD));
    }

    /** Copies of a small real module at each path: below the module directory, or absolute. */
    DepmodFixture modules(String... paths) throws IOException {
        for (String p : paths) {
            Path to = p.startsWith("/") ? Path.of(p) : Path.of(moduleDirectory, p);
            Files.createDirectories(to.getParent());
            if (p.endsWith(".xz") || p.endsWith(".zst")) {
                Path plain = to.resolveSibling(to.getFileName() + ".plain.tmp");
                Files.copy(sampleModule(), plain);
                String[] command = p.endsWith(".xz") ? new String[] {"xz", "-c", plain.toString()}
                        : new String[] {"zstd", "-q", "-c", plain.toString()};
                Files.write(to, run(List.of(command), root).stdout());
                Files.delete(plain);
            } else {
                Files.copy(sampleModule(), to);
            }
        }
        return this;
    }

    DepmodFixture file(String path, String text) throws IOException {
        Path to = root.resolve(path);
        Files.createDirectories(to.getParent());
        Files.writeString(to, text, StandardCharsets.ISO_8859_1);
        return this;
    }

    String path(String relative) {
        return root.resolve(relative).toString();
    }

    /** A module of the corpus without dependencies: depmod prints nothing about it at -v. */
    private static synchronized Path sampleModule() {
        if (sample == null) {
            Path corpus = Corpus.cloud();
            try (Stream<Path> s = Files.walk(corpus.resolve("lib/modules"))) {
                sample = s.filter(p -> p.getFileName().toString().equals("em_u32.ko")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no em_u32.ko in " + corpus));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sample;
    }

    static Processes.Result run(List<String> command, Path cwd) {
        return Processes.run(cwd, command, 0);
    }

    /** kmod's run: its exit status, the first field of each modules.dep line, and its stderr. */
    record KmodRun(Processes.Result result, List<String> depPaths) {}

    /** {@code depmod [flags] -b BASE -C c... VERSION} run from the fixture's root. */
    KmodRun kmod(List<String> configPaths, String... flags) throws IOException {
        List<String> command = new ArrayList<>(List.of(DEPMOD));
        command.addAll(List.of(flags));
        command.addAll(List.of("-b", base.toString()));
        for (String c : configPaths) {
            command.addAll(List.of("-C", c));
        }
        command.add(VERSION);
        Processes.Result r = run(command, root);
        List<String> paths = new ArrayList<>();
        Path dep = Path.of(moduleDirectory, "modules.dep");
        if (Files.exists(dep)) {
            for (String line : Files.readAllLines(dep, StandardCharsets.ISO_8859_1)) {
                paths.add(line.substring(0, line.indexOf(':')));
            }
        }
        return new KmodRun(r, paths);
    }

    /** Our run: what was found and every message, formatted as kmod prints it at -vvv. */
    record OurRun(DepmodConfig config, List<ModuleSearch.FoundModule> modules, List<String> messages) {
        /** The paths modules.dep would name, in a stable order. */
        List<String> depPaths() {
            return modules.stream().map(m -> m.relpath() != null ? m.relpath() : m.path()).sorted().toList();
        }
    }

    OurRun ours(List<String> configPaths) throws ModuleSearch.UnreadableDirectoryException {
        List<String> messages = new ArrayList<>();
        LogSink sink = (level, message) -> messages.add("depmod: " + level.label() + ": " + message);
        DepmodConfig config = DepmodConfig.load(KmodLevel.KMOD30, configPaths, VERSION, root, sink, ReadCache.NONE);
        List<ModuleSearch.FoundModule> found = ModuleSearch.search(moduleDirectory, config, root, sink);
        return new OurRun(config, found, messages);
    }

    /**
     * kmod's messages up to the end of the search, as far as they are reproducible: without
     * libkmod's own lines, the lines that print pointers, and warnings of later stages.
     */
    static List<String> searchStageMessages(String stderr) {
        List<String> out = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (line.startsWith("depmod: DEBUG: load symbols")) {
                break;
            }
            if (line.contains(" ../libkmod/") || line.startsWith("depmod: WARNING: ")
                    || line.matches("depmod: DEBUG: (add|del|free) 0x.*")) {
                continue;
            }
            out.add(line);
        }
        return out;
    }
}

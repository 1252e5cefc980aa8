package modtools.cli.modfsload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import modtools.cli.Tool;
import modtools.deps.KmodLevel;
import modtools.load.info.ModuleInfo;
import modtools.modfs.ModfsServer;
import modtools.modfs.fuse.Outcome;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;

/**
 * A modfs mounted by this JVM on a directory of the test's, and a module tree with the SDK's
 * examples (sdk/examples/build-all) and the slow test module, indexed by our depmod. Commands
 * run in this JVM ({@link #run}) or as processes of their own ({@link #start}), which the
 * concurrency and kill tests need.
 */
final class ModfsFixture implements AutoCloseable {
    static final String VERSION = "1.0.0-modfs";
    static final List<String> ROOT_FILES = List.of("log", "symbols", "taint", "version");
    /** kmod 30's rmmod, as these tests run it, names libkmod's line too before its own. */
    static final String RMMOD_LIBKMOD = "rmmod: ERROR: ../libkmod/libkmod-module.c:856 kmod_module_remove_module() ";

    final Path base;
    final Path mount;
    final Path moduleDir;
    private final ModfsServer server;
    private final Thread serving;

    ModfsFixture(Path tmp) throws IOException {
        base = Files.createDirectories(tmp.resolve("tree"));
        Path sdk = Corpus.repoRoot().resolve("sdk");
        Processes.Result build = Processes.run(List.of(sdk.resolve("examples/build-all").toString(), base.toString(),
                VERSION));
        assertEquals(0, build.status(), "build-all: " + build.stderrText());
        Path slow = resource("modfs_test_slow.c", tmp.resolve("modfs_test_slow.c"));
        Processes.Result slowBuild = Processes.run(List.of(sdk.resolve("build-module").toString(), "--install",
                base.toString(), "--version", VERSION, slow.toString()));
        assertEquals(0, slowBuild.status(), "build-module: " + slowBuild.stderrText());
        Processes.Result depmod = Tool.ours("depmod", List.of("-b", base.toString(), VERSION));
        assertEquals(0, depmod.status(), "depmod: " + depmod.stderrText());
        moduleDir = base.resolve("lib/modules").resolve(VERSION);
        mount = Files.createDirectories(tmp.resolve("modfs"));
        Outcome<ModfsServer> mounted = ModfsServer.mount(mount);
        if (mounted instanceof Outcome.Failed<ModfsServer> f) {
            throw new IllegalStateException("mount " + mount + ": errno " + f.errno() + ": " + f.why());
        }
        server = ((Outcome.Done<ModfsServer>) mounted).value();
        serving = new Thread(server::serve, "modfs test server");
        serving.setDaemon(true);
        serving.start();
    }

    /** The test resource /modfsload/{@code name} written to {@code to}. */
    static Path resource(String name, Path to) throws IOException {
        try (InputStream in = ModfsFixture.class.getResourceAsStream("/modfsload/" + name)) {
            Files.write(to, in.readAllBytes());
        }
        return to;
    }

    Path ko(String name) {
        return moduleDir.resolve("extra").resolve(name + ".ko");
    }

    /** The arguments that put a command on this mount and (for modprobe) this tree. */
    List<String> args(String command, String... rest) {
        List<String> args = new ArrayList<>(List.of("--modfs", mount.toString()));
        if (command.equals("modprobe")) {
            args.addAll(List.of("-d", base.toString()));
        }
        args.addAll(List.of(rest));
        return args;
    }

    /** Where the loader keeps its state in these tests (symbols of modules removed). */
    Map<String, String> state() {
        return Map.of("MODTOOLS_STATE_DIR", base.resolve("state").toString());
    }

    /** Our command in this JVM, on this mount. */
    Processes.Result run(String command, String... rest) {
        return Tool.ours(command, args(command, rest), state());
    }

    /** The same, copying the kmod of {@code level}. */
    Processes.Result run(KmodLevel level, String command, String... rest) {
        Map<String, String> env = new HashMap<>(state());
        env.put(KmodLevel.VARIABLE, level.setting());
        return Tool.ours(command, args(command, rest), env);
    }

    /**
     * Our command in this JVM only, on this mount: a served command is not run a second time
     * through the server to compare, for tests whose mount changes between two runs.
     */
    Processes.Result runOnce(String command, String... rest) {
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.put(KmodLevel.VARIABLE, KmodLevel.KMOD30.setting());
        env.putAll(state());
        return Tool.inProcess(command, args(command, rest), Path.of(System.getProperty("user.dir")), Map.copyOf(env));
    }

    /** Our command as a process of its own, on this mount; {@code env} is added to its environment. */
    Process start(Map<String, String> env, String command, String... rest) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto", "-Dmodtools.argv0=" + command,
                "-cp", System.getProperty("java.class.path"), "modtools.cli.Main"));
        cmd.addAll(args(command, rest));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("MODPROBE_OPTIONS");
        pb.environment().remove("MODFS");
        pb.environment().putAll(state());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    /** A command that succeeded without a word on stderr. */
    static void ok(Processes.Result r) {
        assertEquals(0, r.status(), r.stderrText());
        assertEquals("", r.stderrText());
    }

    /** The module lines of the log after its first {@code lines}. */
    List<String> logSince(int lines) throws IOException {
        List<String> all = moduleLog();
        return new ArrayList<>(all.subList(lines, all.size()));
    }

    /** rmmod of every module left; the mount must then be empty. */
    void removeAll() throws IOException {
        for (String module : modules()) {
            run("rmmod", module);
        }
        assertEquals(List.of(), modules(), "every test leaves the mount empty");
    }

    String log() throws IOException {
        return read("log");
    }

    /** The module lines of the log, timestamps cut, the host's own lines left out. */
    List<String> moduleLog() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : log().split("\n")) {
            String text = line.replaceFirst("^\\[ *\\d+\\.\\d+\\] ", "");
            if (!text.startsWith("modfs: ")) {
                lines.add(text);
            }
        }
        return lines;
    }

    String read(String relative) throws IOException {
        return Files.readString(mount.resolve(relative), StandardCharsets.ISO_8859_1);
    }

    /** The entries of the mount's root that are not the host's files: the module directories. */
    List<String> modules() throws IOException {
        try (Stream<Path> entries = Files.list(mount)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !ROOT_FILES.contains(n)).sorted().toList();
        }
    }

    /** The module's status lines (state, address, size), if it has a module file. */
    Optional<List<String>> status(String module) throws IOException {
        Path file = mount.resolve(module).resolve("module");
        return Files.exists(file) ? Optional.of(List.of(Files.readString(file).split("\n"))) : Optional.empty();
    }

    Optional<ModuleInfo> info(String module) throws IOException {
        Path file = mount.resolve(module).resolve("info");
        return Files.exists(file) ? ModuleInfo.parse(Files.readString(file, StandardCharsets.ISO_8859_1))
                : Optional.empty();
    }

    @Override
    public void close() throws InterruptedException {
        server.stop();
        serving.join(10_000);
    }
}

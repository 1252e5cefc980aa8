package modtools.cli.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import modtools.cli.Tool;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import modtools.testkit.Served;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident server as its callers and its users' neighbours meet it: calls at once from
 * different directories and environments, clients killed or interrupted mid-call, other users,
 * unfit socket directories, garbage, and its own ending (idle, or a rebuild).
 */
class ServerTest {
    @TempDir
    static Path base;
    static Path moduleDir;
    static String version;

    @BeforeAll
    static void indexedTree() throws IOException {
        Path corpus = Corpus.cloud();
        version = Corpus.version(corpus);
        moduleDir = Corpus.linkedCopy(corpus, version, base);
        Processes.Result depmod = Tool.inProcess("depmod", List.of("-b", base.toString(), version));
        assertEquals(0, depmod.status(), depmod.stderrText());
    }

    @AfterAll
    static void removeLinks() {
        Corpus.removeCopy(base);
    }

    /** One call of the concurrent test: where it runs, with what, and what it must print. */
    record Call(Path cwd, String name, List<String> args, Map<String, String> environment) {}

    @Test
    void sixteenConcurrentClientsGetTheirOwnResults() throws Exception {
        List<Path> modules;
        try (Stream<Path> files = Files.walk(moduleDir.resolve("kernel"))) {
            modules = files.filter(p -> p.toString().endsWith(".ko")).sorted().limit(400).toList();
        }
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Path module = modules.get(i * 25);
            String name = module.getFileName().toString().replace(".ko", "");
            Path relativeBase = base.getParent();
            String baseName = base.getFileName().toString();
            calls.add(switch (i % 4) {
                // a module file named relative to its own directory
                case 0 -> new Call(module.getParent(), "modinfo", List.of(module.getFileName().toString()), Map.of());
                // the tree named relative to the working directory, in MODPROBE_OPTIONS
                case 1 -> new Call(relativeBase, "modprobe", List.of("-D", name),
                        Map.of("MODPROBE_OPTIONS", "-d " + baseName + " -S " + version));
                // the same, at both kmod levels and with -v from the environment
                case 2 -> new Call(relativeBase, "modprobe", List.of("-D", "-d", baseName, "-S", version, name),
                        Map.of("MODTOOLS_KMOD", i % 8 == 2 ? "30" : "34", "MODPROBE_OPTIONS", "-v"));
                // by name through a relative -b
                default -> new Call(relativeBase, "modinfo", List.of("-b", baseName, "-k", version, name), Map.of());
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (Call call : calls) {
                Map<String, String> env = new java.util.HashMap<>(Processes.environment());
                env.putAll(call.environment());
                Processes.Result expected = Tool.inProcess(call.name(), call.args(), call.cwd(), env);
                assertEquals(0, expected.status(), call + ": " + expected.stderrText());
                runs.add(pool.submit(() -> {
                    for (int round = 0; round < 4; round++) {
                        Processes.Result served = Served.shared().run(call.cwd(), call.name(), call.args(), call.environment());
                        Tool.assertSameRun(expected, served, call.toString());
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** depmods served at once on one tree share the server's pid; their temporary names must not meet. */
    @Test
    void concurrentDepmodsOnOneTreeEachWriteWholeIndexes() throws Exception {
        Path tree = base.resolve("concurrent-depmod");
        Path dir = Corpus.linkedCopy(Corpus.cloud(), version, tree);
        List<String> args = List.of("-b", tree.toString(), version);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Processes.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> Served.shared().run(null, "depmod", args)));
            }
            for (Future<Processes.Result> run : runs) {
                Processes.Result r = run.get(10, TimeUnit.MINUTES);
                assertEquals(0, r.status(), r.stderrText());
            }
            byte[] served = Files.readAllBytes(dir.resolve("modules.dep.bin"));
            assertEquals(0, Tool.inProcess("depmod", args).status());
            assertArrayEquals(Files.readAllBytes(dir.resolve("modules.dep.bin")), served, "served at once and alone");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                        .filter(n -> n.matches(".*\\.\\d+\\.\\d+\\.\\d+")).toList(), "temporary files left");
            }
        } finally {
            pool.shutdownNow();
            Corpus.removeCopy(tree);
        }
    }

    @Test
    void clientKilledMidCallCancelsItAndNothingIsWritten() throws Exception {
        cancelWhileDepmodWaits("KILL", 128 + 9);
    }

    @Test
    void clientInterruptedMidCallCancelsItAndDiesOfTheSignal() throws Exception {
        cancelWhileDepmodWaits("INT", 128 + 2);
    }

    /**
     * depmod served on a fresh tree, held reading its System.map from a FIFO until the client
     * has been signalled; then the map arrives. A cancelled call writes no index and leaves no
     * temporary file, and the server goes on serving.
     */
    private void cancelWhileDepmodWaits(String signal, int expectedStatus) throws Exception {
        Path tree = base.resolve("cancel-" + signal);
        Path dir = Corpus.linkedCopy(Corpus.cloud(), version, tree);
        Path fifo = tree.resolve("System.map");
        assertEquals(0, Processes.run(List.of("mkfifo", fifo.toString())).status());
        List<String> before = listing(dir);
        ProcessBuilder pb = new ProcessBuilder(Served.shared().command("depmod",
                List.of("-b", tree.toString(), "-F", fifo.toString(), version)));
        pb.environment().clear();
        pb.environment().putAll(Served.shared().environment(Map.of()));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process client = pb.start();
        Thread.sleep(1000);
        assertEquals(0, Processes.run(List.of("kill", "-" + signal, Long.toString(client.pid()))).status());
        if (signal.equals("KILL")) {
            assertEquals(expectedStatus, client.waitFor());
        }
        try (OutputStream map = Files.newOutputStream(fifo)) {
            map.write("ffffffff81000000 T _stext\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        assertEquals(expectedStatus, client.waitFor());
        Processes.Result after = Tool.served("modinfo", List.of("-F", "license", moduleDir.resolve("kernel").toString()
                + "/" + firstModule()));
        assertEquals("GPL\n", after.stdoutText(), after.stderrText());
        Thread.sleep(500);
        try {
            assertEquals(before, listing(dir), "a cancelled depmod wrote nothing, not even a temporary file");
        } finally {
            Corpus.removeCopy(tree);
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String firstModule() throws IOException {
        try (Stream<Path> files = Files.walk(moduleDir.resolve("kernel"))) {
            return moduleDir.resolve("kernel").relativize(files.filter(p -> p.toString().endsWith("/fs/xfs/xfs.ko"))
                    .findFirst().orElseThrow()).toString();
        }
    }

    /**
     * A client whose standard output is a pipe nobody reads, killed while the server waits for
     * room in it: the server's thread notices the cancel and comes free, and the server goes on
     * serving. Its threads are told by their names ("modtools call") and what they wait in.
     */
    @Test
    void clientKilledWhileItsPipeIsFullFreesTheServersThread() throws Exception {
        try (Served server = Served.start(Map.of("MODTOOLS_SERVER_IDLE", "600"))) {
            assertServes(server);
            long pid = server.process().pid();
            Path fifo = base.resolve("unread-pipe");
            assertEquals(0, Processes.run(List.of("mkfifo", fifo.toString())).status());
            // the client writes into the FIFO, whose only reader, sleep, never reads; the
            // shell prints the client's pid (a Java Process would drain a pipe once its child died)
            List<String> command = new ArrayList<>(List.of("sh", "-c", "\"$@\" > \"$0\" & echo $!; exec sleep 600 < \"$0\"",
                    fifo.toString()));
            command.addAll(server.command("modprobe", List.of("-c", "-d", base.toString(), "-S", version)));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().clear();
            pb.environment().putAll(server.environment(Map.of()));
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process shell = pb.start();
            try {
                String client = new java.io.BufferedReader(new java.io.InputStreamReader(shell.getInputStream(),
                        StandardCharsets.ISO_8859_1)).readLine();
                assertTrue(eventually(() -> callThreadWaits(pid).stream().anyMatch(w -> w.contains("poll")
                                || w.contains("pipe_write"))),
                        "a thread of the server waits for room in the full pipe: " + callThreadWaits(pid));
                assertEquals(0, Processes.run(List.of("kill", "-KILL", client)).status());
                assertTrue(eventually(() -> callThreadWaits(pid).stream().noneMatch(ServerTest::busy)),
                        "every call thread of the server is idle again: " + callThreadWaits(pid));
            } finally {
                shell.destroyForcibly();
                shell.waitFor();
            }
            assertServes(server);
        }
    }

    /** What each "modtools call" thread of process {@code pid} waits in (its wchan). */
    private static List<String> callThreadWaits(long pid) {
        List<String> waits = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().equals("modtools call")) {
                        waits.add(Files.readString(task.resolve("wchan")));
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return waits;
    }

    /** Waiting for room to write, or for the client: a thread still held by a call. */
    private static boolean busy(String wchan) {
        return wchan.contains("poll") || wchan.contains("pipe") || wchan.contains("unix");
    }

    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Test
    void anotherUidIsRefused() throws Exception {
        Path dir = Served.shared().dir();
        Path socket = dir.resolve("socket");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            Processes.Result probe = Processes.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                    "-cp", Path.of(PeerProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                    PeerProbe.class.getName(), socket.toString()));
            assertEquals("refused: uid 65534 may not use the server of uid " + Libc.uid() + "\n", probe.stdoutText(),
                    probe.stderrText());
        } finally {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        assertServes(Served.shared());
    }

    @Test
    void socketDirectoryOpenToOthersOrOfAnotherOwnerIsRefused() throws Exception {
        Path open = base.resolve("open");
        Files.createDirectory(open, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path foreign = base.resolve("foreign");
        Files.createDirectory(foreign, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertEquals(0, Processes.run(List.of("chown", "65534", foreign.toString())).status());
        for (Path dir : List.of(open, foreign)) {
            Map<String, String> env = new java.util.HashMap<>(Served.shared().environment(Map.of()));
            env.put("MODTOOLS_SERVER_DIR", dir.toString());
            Processes.Result client = Processes.run(null, Served.shared().command("modinfo", List.of("-V")), env, 60);
            assertEquals(Served.NOT_SERVED, client.status());
            assertTrue(client.stderrText().startsWith("modtools: " + dir + " is not a directory of uid "), client.stderrText());
            try (Served server = Served.startIn(dir, classes(), System.getProperty("java.class.path"), Map.of())) {
                assertEquals(1, server.process().waitFor(), dir.toString());
                assertTrue(server.log().startsWith("modtools server: " + dir + ": "), server.log());
                assertFalse(Files.exists(dir.resolve("socket")));
            }
        }
    }

    @Test
    void garbageAndOversizedRequestsAreRefusedAndTheServerSurvives() throws Exception {
        Path socket = Served.shared().dir().resolve("socket");
        byte[] garbage = new byte[1000];
        new Random(16).nextBytes(garbage);
        garbage[2] = 0; // a length the server accepts, so the descriptors are what is missing
        garbage[3] = 0;
        assertTrue(PeerProbe.exchange(socket, garbage).startsWith("refused: a request carries its standard input"));
        byte[] oversized = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(100 << 20).array();
        assertEquals("refused: request of 104857600 bytes (at most 4194304)", PeerProbe.exchange(socket, oversized));
        assertEquals("refused: no whole request within 5000 ms", PeerProbe.exchange(socket, new byte[] {1, 2}));
        assertServes(Served.shared());
    }

    @Test
    void malformedRequestsAreNamedNotTaken() {
        assertInstanceOf(Request.Malformed.class, Request.parse(fields("MT2", "id", "/", "modinfo", "open")));
        assertInstanceOf(Request.Malformed.class, Request.parse(fields("MT2", "id", "/", "modinfo", "open", "x")));
        assertInstanceOf(Request.Malformed.class, Request.parse(fields("MT2", "id", "/", "modinfo", "open", "9", "a")));
        assertInstanceOf(Request.Malformed.class, Request.parse(fields("MT2", "id", "relative", "modinfo", "open", "0")));
        assertInstanceOf(Request.Malformed.class, Request.parse(fields("MT2", "id", "/", "modinfo", "open", "0",
                "NOEQUALS")));
        assertInstanceOf(Request.Malformed.class, Request.parse(fields("MT2", "id", "/", "modinfo", "shut", "0")));
        assertInstanceOf(Request.Malformed.class, Request.parse(fields("MT1", "id", "/", "modinfo", "0")));
        assertInstanceOf(Request.Malformed.class, Request.parse("MT2\u0000id\u0000/\u0000modinfo\u0000open\u00000"
                .getBytes(StandardCharsets.ISO_8859_1)));
        Request.Parsed valid = Request.parse(fields("MT2", "id", "/w", "modinfo", "open", "1", "-V", "A=b=c"));
        Request request = assertInstanceOf(Request.Valid.class, valid).request();
        assertEquals(List.of("-V"), request.args());
        assertEquals(Map.of("A", "b=c"), request.environment());
        assertEquals(false, request.stderrClosed());
        Request closed = assertInstanceOf(Request.Valid.class,
                Request.parse(fields("MT2", "id", "/w", "modprobe", "closed", "0"))).request();
        assertEquals(true, closed.stderrClosed());
    }

    /** NUL-terminated fields, as the client sends them. */
    private static byte[] fields(String... fields) {
        StringBuilder s = new StringBuilder();
        for (String f : fields) {
            s.append(f).append('\u0000');
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void idleServerQuits() throws Exception {
        try (Served server = Served.start(Map.of("MODTOOLS_SERVER_IDLE", "15"))) {
            assertServes(server);
            assertTrue(server.process().waitFor(90, TimeUnit.SECONDS), "the idle server quit");
            assertEquals(0, server.process().exitValue());
            assertFalse(Files.exists(server.dir().resolve("socket")));
        }
    }

    /**
     * A server of an older build (its classes' time changed under it) is told to quit by the
     * next client, which starts a new one through the launcher and is served by it.
     */
    @Test
    void rebuildReplacesTheServer() throws Exception {
        Path classes = base.resolve("build/classes");
        Files.createDirectories(classes.getParent());
        assertEquals(0, Processes.run(List.of("cp", "-r", classes().toString(), classes.toString())).status());
        String classPath = System.getProperty("java.class.path");
        Path launcher = base.resolve("build/modtools");
        List<String> serverCommand = Served.serverCommand(Path.of("DIR"), classes, classPath);
        Files.writeString(launcher, "#!/bin/sh\n# called as: modtools server --dir DIR\nexec '"
                + String.join("' '", serverCommand.subList(0, serverCommand.size() - 3)) + "' \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        try (Served old = Served.start(classes, classPath, Map.of())) {
            Files.setLastModifiedTime(classes, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            List<String> command = new ArrayList<>(old.command("/nonexistent/modinfo", List.of("-V")));
            command.set(1, launcher.toString());
            Processes.Result result = Processes.run(null, command,
                    old.environment(Map.of("MODTOOLS_SERVER", "on", "MODTOOLS_SERVER_IDLE", "5")), 120);
            assertEquals(0, result.status(), result.stderrText());
            assertEquals(Tool.inProcess("modinfo", List.of("-V")).stdoutText(), result.stdoutText());
            assertTrue(old.process().waitFor(30, TimeUnit.SECONDS), "the old server quit");
            Processes.Result again = old.run(null, "modinfo", List.of("-V"));
            assertEquals(0, again.status(), "the new server serves: " + again.stderrText());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.exists(old.dir().resolve("socket")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(Files.exists(old.dir().resolve("socket")), "the new server quit when idle");
        }
    }

    private static void assertServes(Served server) {
        Processes.Result r = server.run(null, "modinfo", List.of("-V"));
        assertEquals(0, r.status(), r.stderrText());
        assertNotEquals("", r.stdoutText());
    }

    private static Path classes() throws Exception {
        return Path.of(ServerCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}

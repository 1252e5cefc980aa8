package modtools.modfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import modtools.modfs.TestImage.Wrong;
import modtools.modfs.fuse.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module code that faults or never returns, on the host this JVM serves: every signal in init, one in exit, one
 * in a thread the module started, a hundred times over; the host answers after each, the
 * module is {@code failed} and can be unmapped, the log holds the oops naming the symbol, the
 * host is tainted, and live modules still have their exits run when the host stops.
 */
class ModfsFaultTest {
    @TempDir
    Path tmp;
    private Mounted m;
    private final int[] marks = new int[2];

    @BeforeEach
    void mount() throws IOException {
        Path dir = tmp.resolve("modfs");
        Files.createDirectory(dir);
        m = new Mounted(dir);
        Sys.pipe(marks);
    }

    @AfterEach
    void unmount() throws InterruptedException {
        m.close();
        Sys.close(marks[0]);
        Sys.close(marks[1]);
    }

    private int control(String module, String command) {
        return Sys.writeFile(m.path(module + "/control"), command + "\n");
    }

    /** mkdir, kallsyms, create, map, write the image built for the address the host gave. */
    private void place(String name, LongFunction<TestImage> image) throws IOException {
        assertEquals(0, Sys.errno(() -> Sys.mkdir(m.path(name).toString(), 0755)));
        Files.write(m.path(name + "/module"), new byte[0]);
        assertEquals(0, Sys.errno(() -> Sys.truncate(m.path(name + "/module").toString(), TestImage.SIZE)));
        assertEquals(0, control(name, "map module"));
        TestImage built = image.apply(m.address(name + "/module"));
        Files.writeString(m.path(name + "/kallsyms"), TestImage.kallsyms(built), StandardCharsets.ISO_8859_1);
        assertEquals(0, Sys.writeFile(m.path(name + "/module"), built.build(), 0));
    }

    private void remove(String name) throws IOException {
        assertEquals(0, control(name, "unmap module"));
        Files.delete(m.path(name + "/module"));
        Files.delete(m.path(name));
    }

    /** A live module whose exit writes {@code mark} to the test's pipe. */
    private void liveWitness(char mark) throws IOException {
        place("witness" + mark, base -> TestImage.marking(base, marks[1], mark));
        assertEquals(0, control("witness" + mark, "init module"));
    }

    @Test
    void eachSignalInInitFailsTheModuleAndTheHostGoesOn() throws Exception {
        liveWitness('w');
        int number = 0;
        for (Wrong wrong : Wrong.values()) {
            String name = "init_" + wrong.name().toLowerCase();
            place(name, base -> TestImage.faultingInInit(base, wrong));
            assertEquals(Errno.EFAULT, control(name, "init module"), wrong.name());
            number++;
            assertEquals("failed", m.status(name + "/module").get(0));
            assertEquals("1.0.0-modfs\n", m.read("version"), "the host answers after " + wrong);
            String log = m.log();
            assertTrue(log.contains("RIP: 0010:fault_init+0x"), log);
            assertTrue(log.contains("/0x80 [" + name + "]"), log);
            assertTrue(log.contains("[#" + number + "]"), log);
            assertTrue(log.contains("modfs: " + name + "/module: init faulted (SIG" + wrong.name() + ")"), log);
            assertEquals(Errno.EINVAL, control(name, "exit module"), "a failed module has no exit to run");
            remove(name);
        }
        String log = m.log();
        assertTrue(log.contains("BUG: kernel NULL pointer dereference, address: 0000000000000000"), log);
        assertTrue(log.contains("#PF: supervisor write access in kernel mode"), log);
        assertTrue(log.contains("invalid opcode: 0000 [#3]"), log);
        assertTrue(log.contains("divide error: 0000 [#4]"), log);
        assertTrue(log.contains("modfs: host tainted: D"), log);
        assertEquals("128\n", m.read("taint"));
        assertEquals("live", m.status("witnessw/module").get(0));
        assertExitsRunAtStop("w");
    }

    @Test
    void aFaultInExitLeavesTheModuleFailedAndTheOthersLive() throws Exception {
        liveWitness('a');
        place("bad_exit", base -> TestImage.faultingInExit(base, Wrong.SEGV));
        assertEquals(0, control("bad_exit", "init module"));
        liveWitness('b');
        assertEquals(Errno.EFAULT, control("bad_exit", "exit module"));
        assertEquals("failed", m.status("bad_exit/module").get(0));
        assertTrue(m.log().contains("RIP: 0010:fault_exit+0x"), m.log());
        assertEquals("128\n", m.read("taint"));
        // Failed, it is no longer live: the host does not run its exit again at stop.
        assertExitsRunAtStop("ba");
    }

    @Test
    void aThreadFaultingAHundredTimesInARow() throws Exception {
        liveWitness('t');
        long threadRun = m.symbol("modfs_thread_run");
        for (int i = 1; i <= 100; i++) {
            String name = "thread" + i;
            place(name, base -> TestImage.faultingInAThread(base, threadRun, Wrong.SEGV));
            int status = control(name, "init module");
            assertTrue(status == 0 || status == Errno.EFAULT, "init: errno " + status);
            awaitState(name + "/module", "failed");
            assertEquals("1.0.0-modfs\n", m.read("version"), "the host answers after fault " + i);
            awaitNoThreads(name);
            remove(name);
        }
        String log = m.log();
        assertTrue(log.contains("[#100]"), "the hundredth oops is in the log");
        assertTrue(log.contains("RIP: 0010:fault_thread+0x"), log);
        assertTrue(log.contains("(a thread of the module)"), log);
        assertExitsRunAtStop("t");
    }

    @Test
    void aWriterOfInitThatGetsASignalEndsAtOnceAndTheModuleStaysInitializing() throws Exception {
        int[] gate = new int[2];
        Sys.pipe(gate);
        place("stuck", base -> TestImage.blocking(base, gate[0], marks[1], 's'));
        Path control = m.path("stuck/control");
        for (String signal : List.of("INT", "TERM", "KILL")) {
            Process writer = new ProcessBuilder("bash", "-c", "echo 'init module' > \"$0\"", control.toString())
                    .redirectErrorStream(true).start();
            if (signal.equals("INT")) {
                awaitState("stuck/module", "initializing");
            }
            // The write is waiting on the blocked init (the first one started it; the others find it busy
            // only once it is running, so give each a moment to be inside its write).
            Thread.sleep(200);
            new ProcessBuilder("kill", "-" + signal, Long.toString(writer.pid())).start().waitFor();
            boolean ended = writer.waitFor(2, TimeUnit.SECONDS);
            assertTrue(ended, () -> "a writer sent SIG" + signal + " is still there: " + stat(writer.pid()));
            assertEquals("initializing", m.status("stuck/module").get(0));
        }
        assertEquals("1.0.0-modfs\n", m.read("version"));
        Sys.write(gate[1], new byte[] {1}, 1);
        awaitState("stuck/module", "live");
        Sys.close(gate[0]);
        Sys.close(gate[1]);
        assertExitsRunAtStop("s");
    }

    @Test
    void umountRecoversFromAnInitThatNeverReturns() throws Exception {
        int[] gate = new int[2];
        Sys.pipe(gate);
        try {
            place("forever", base -> TestImage.blocking(base, gate[0], marks[1], 'f'));
            liveWitness('w');
            Process writer = new ProcessBuilder("bash", "-c", "echo 'init module' > \"$0\"",
                    m.path("forever/control").toString()).start();
            awaitState("forever/module", "initializing");
            writer.destroyForcibly();
            assertTrue(writer.waitFor(2, TimeUnit.SECONDS));
            List<String> problems = m.stop();
            assertEquals(List.of("forever/module: unmap: initializing: its init is still running"), problems);
            byte[] exits = new byte[1];
            assertEquals(1, Sys.read(marks[0], exits, 1));
            assertEquals('w', exits[0], "the live module's exit ran");
        } finally {
            Sys.write(gate[1], new byte[] {1}, 1);
            Sys.close(gate[0]);
            Sys.close(gate[1]);
        }
    }

    private static String stat(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return "(gone)";
        }
    }

    private void awaitState(String module, String state) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (!m.status(module).get(0).equals(state) && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(state, m.status(module).get(0));
    }

    /** unmap waits for the module's threads: the faulted one ends right after its fault is recorded. */
    private void awaitNoThreads(String name) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (control(name, "unmap module") == Errno.EBUSY && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        assertEquals("unmapped", m.status(name + "/module").get(0));
        assertEquals(0, control(name, "map module"));
    }

    private void assertExitsRunAtStop(String expected) throws Exception {
        assertEquals(List.of(), m.stop());
        byte[] order = new byte[expected.length()];
        assertEquals(expected.length(), Sys.read(marks[0], order, order.length));
        assertEquals(expected, new String(order, StandardCharsets.ISO_8859_1));
        TimeUnit.MILLISECONDS.sleep(0);
    }
}

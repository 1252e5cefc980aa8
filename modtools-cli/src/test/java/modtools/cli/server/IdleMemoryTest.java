package modtools.cli.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import modtools.testkit.Processes;
import modtools.testkit.Served;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an idle server does with the memory its calls left behind: the collections it runs put
 * back the free ratios every other collection goes by, G1 shrinks the heap and grows it back,
 * and the server serves on after giving back.
 */
class IdleMemoryTest {
    private static final HotSpotDiagnosticMXBean VM = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    @TempDir
    Path base;

    /** Ratios of the test's own, which no collector has by default. */
    @Test
    void shrinkAndRegrowLeaveTheFreeRatiosAsTheyWere() {
        String min = VM.getVMOption("MinHeapFreeRatio").getValue();
        String max = VM.getVMOption("MaxHeapFreeRatio").getValue();
        VM.setVMOption("MinHeapFreeRatio", "0");
        VM.setVMOption("MaxHeapFreeRatio", "63");
        VM.setVMOption("MinHeapFreeRatio", "31");
        try {
            IdleMemory memory = new IdleMemory();
            Runtime runtime = Runtime.getRuntime();
            List<byte[]> held = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                held.add(new byte[1 << 20]);
            }
            long grown = runtime.totalMemory();
            held.clear();
            memory.shrink();
            long shrunk = runtime.totalMemory();
            assertEquals("31", VM.getVMOption("MinHeapFreeRatio").getValue());
            assertEquals("63", VM.getVMOption("MaxHeapFreeRatio").getValue());
            memory.regrow();
            long regrown = runtime.totalMemory();
            assertEquals("31", VM.getVMOption("MinHeapFreeRatio").getValue());
            assertEquals("63", VM.getVMOption("MaxHeapFreeRatio").getValue());
            if (underG1()) {
                assertTrue(shrunk < grown, "the heap shrank from " + grown + " to " + shrunk);
                assertTrue(regrown > shrunk, "the heap grew back from " + shrunk + " to " + regrown);
            }
        } finally {
            VM.setVMOption("MinHeapFreeRatio", "0");
            VM.setVMOption("MaxHeapFreeRatio", max);
            VM.setVMOption("MinHeapFreeRatio", min);
        }
    }

    @Test
    void anIdleServerGivesBackAndServesOn() throws Exception {
        Path dir = base.resolve("server");
        assertEquals(Optional.empty(), SocketDirectory.prepare(dir, Libc.uid()));
        Path classes = Path.of(ServerCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Server server = new Server(dir, BuildId.of(classes), Processes.environment(), 600, 100);
        Thread serving = new Thread(() -> {
            try {
                server.serve(System.err);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        serving.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(dir.resolve("socket")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Processes.Result first = modinfoV(dir, classes);
            assertEquals(0, first.status(), first.stderrText());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!server.memoryGivenBack() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(server.memoryGivenBack(), "memory given back within 60 s of the call");
            Processes.Result again = modinfoV(dir, classes);
            assertEquals(0, again.status(), again.stderrText());
            assertEquals(first.stdoutText(), again.stdoutText());
        } finally {
            server.retire();
            serving.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    private static Processes.Result modinfoV(Path dir, Path classes) {
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.put("MODTOOLS_SERVER_DIR", dir.toString());
        env.put("MODTOOLS_SERVER", "only");
        return Processes.run(null, List.of(Served.client().toString(), "/nonexistent/launcher", "modinfo",
                classes.toString(), "-V"), env, 60);
    }

    private static boolean underG1() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .anyMatch(name -> name.startsWith("G1"));
    }
}

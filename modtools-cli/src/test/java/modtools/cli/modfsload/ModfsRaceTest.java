package modtools.cli.modfsload;

import static modtools.cli.modfsload.ModfsFixture.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * rmmod and lsmod while other processes load and remove the same modules: what they print is
 * what modfs has, in kmod's words — a module another process is loading or removing is busy,
 * one that went meanwhile is not loaded — and never a word about /sys.
 */
class ModfsRaceTest extends OnSharedMount {
    private static final String LIB = "modfs_demo_lib";
    private static final String LIBKMOD = ModfsFixture.RMMOD_LIBKMOD;

    @Override
    @AfterEach
    void nothingLeft() throws IOException {
        m.run("modprobe", "-r", "modfs_demo_top");
        super.nothingLeft();
    }

    /** A module whose info another process holds with LOCK_EX is being loaded or removed: EBUSY. */
    @Test
    void aModuleAnotherProcessIsRemovingIsBusy() throws Exception {
        ok(m.run("modprobe", LIB));
        Process holder = lock("-x", LIB);
        try {
            Processes.Result r = m.run("rmmod", LIB);
            assertEquals(1, r.status());
            assertEquals(LIBKMOD + "could not remove '" + LIB + "': Device or resource busy\n"
                    + "rmmod: ERROR: could not remove module " + LIB + ": Device or resource busy\n", r.stderrText());
        } finally {
            unlock(holder);
        }
        Process user = lock("-s", LIB);
        try {
            Processes.Result r = m.run("rmmod", LIB);
            assertEquals(LIBKMOD + "could not remove '" + LIB + "': Resource temporarily unavailable\n"
                    + "rmmod: ERROR: could not remove module " + LIB + ": Resource temporarily unavailable\n",
                    r.stderrText(), "LOCK_SH alone is a load that depends on it: in use");
        } finally {
            unlock(user);
        }
        ok(m.run("rmmod", LIB));
    }

    /**
     * Two rmmods of one module at once: one removes it; the other says it is busy, not loaded
     * or gone, as kmod says each — never that unloading is not supported.
     */
    @Test
    void twoRemoversOfOneModule() throws Exception {
        Set<String> allowed = Set.of(
                "rmmod: ERROR: Module " + LIB + " is not currently loaded\n",
                LIBKMOD + "could not remove '" + LIB + "': Device or resource busy\n"
                        + "rmmod: ERROR: could not remove module " + LIB + ": Device or resource busy\n",
                LIBKMOD + "could not remove '" + LIB + "': No such file or directory\n"
                        + "rmmod: ERROR: could not remove module " + LIB + ": No such file or directory\n");
        for (int round = 0; round < 30; round++) {
            ok(m.run("modprobe", LIB));
            CompletableFuture<Processes.Result> first = CompletableFuture.supplyAsync(() -> m.run("rmmod", LIB));
            CompletableFuture<Processes.Result> second = CompletableFuture.supplyAsync(() -> m.run("rmmod", LIB));
            List<Processes.Result> results = List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
            int removed = 0;
            for (Processes.Result r : results) {
                if (r.status() == 0) {
                    removed++;
                    assertEquals("", r.stderrText());
                } else {
                    assertTrue(allowed.contains(r.stderrText()), "round " + round + ": " + r.stderrText());
                }
            }
            assertEquals(1, removed, "round " + round + ": one of them removed it");
            assertEquals(List.of(), m.modules());
        }
    }

    /** lsmod while a chain is loaded and removed over and over: whole lines, nothing on stderr. */
    @Test
    void lsmodWhileModulesComeAndGo() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                m.run("modprobe", "modfs_demo_top");
                m.run("modprobe", "-r", "modfs_demo_top");
            }
        });
        Pattern line = Pattern.compile("[a-z_]+ +\\d+  \\d+( [a-z_]+(,[a-z_]+)*)?");
        List<String> bad = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Processes.Result r = m.runOnce("lsmod");
                if (r.status() != 0 || !r.stderrText().isEmpty()) {
                    bad.add("status " + r.status() + ": " + r.stderrText());
                }
                String[] lines = r.stdoutText().split("\n");
                for (int l = 1; l < lines.length; l++) {
                    if (!line.matcher(lines[l]).matches()) {
                        bad.add(lines[l]);
                    }
                }
            }
        } finally {
            stop.set(true);
            churn.get(120, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), bad);
    }

    /**
     * {@code flock OPTION NAME/info} held by flock(1) itself ({@code -o}: not by the command
     * it runs) until {@link #unlock}.
     */
    private Process lock(String option, String module) throws IOException {
        Process p = new ProcessBuilder("flock", "-o", option, m.mount.resolve(module).resolve("info").toString(),
                "-c", "echo locked; exec sleep 600").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("locked", out.readLine());
        return p;
    }

    private static void unlock(Process holder) throws InterruptedException {
        holder.descendants().forEach(ProcessHandle::destroyForcibly);
        holder.destroyForcibly().waitFor();
    }
}

package modtools.cli.modfsload;

import static modtools.cli.modfsload.ModfsFixture.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import modtools.load.info.ModuleInfo;
import modtools.load.modfs.ModfsLoader;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A loader killed with SIGKILL after each step of its chain (docs/loader.md) — after the claim,
 * after taking its dependencies' locks, after map, after relocation, after the parameters and
 * the image write, after init, after publishing the info — and
 * during a slow init leaves a state that the next modprobe (or rmmod) repairs; a remover killed
 * during a slow exit leaves a module rmmod calls busy until the exit ends, and the next modprobe
 * waits for it; and a modprobe of a module another process is loading waits for it instead of
 * loading it twice.
 */
class ModfsRecoveryTest extends OnSharedMount {
    /** Empty loop turns for an init of a second or two. */
    private static final long SLOW_SPINS = 1_000_000_000L;
    private static final long WAIT_SECONDS = 120;

    /** modprobe -r alone must leave the mount empty. */
    @Override
    @AfterEach
    void nothingLeft() throws IOException {
        m.run("modprobe", "-r", "modfs_demo_top", "modfs_demo_mid", "modfs_demo_lib", "modfs_test_slow");
        assertEquals(List.of(), m.modules(), "every test leaves the mount empty");
    }

    static Stream<String> steps() {
        return Stream.of("claim", "resolve", "map", "relocate", "parameters", "init", "publish");
    }

    @ParameterizedTest
    @MethodSource("steps")
    void killedLoaderIsRepairedByTheNextModprobe(String step) throws Exception {
        ok(m.run("modprobe", "modfs_demo_lib"));
        killAfter(step, "modfs_demo_mid");
        Optional<List<String>> status = m.status("modfs_demo_mid");
        boolean infoComplete = m.info("modfs_demo_mid").isPresent();
        switch (step) {
            case "claim", "resolve" -> assertEquals(Optional.empty(), status, "no module file yet");
            case "map", "relocate", "parameters" -> assertEquals("mapped", status.orElseThrow().get(0));
            default -> assertEquals("live", status.orElseThrow().get(0));
        }
        assertEquals(step.equals("publish"), infoComplete, "info is written last");
        long loadsBefore = count("modfs_demo_mid: loaded");

        ok(m.run("modprobe", "modfs_demo_top"));
        for (String module : List.of("modfs_demo_lib", "modfs_demo_mid", "modfs_demo_top")) {
            assertEquals("live", m.status(module).orElseThrow().get(0), module);
            assertTrue(m.info(module).isPresent(), module + " has its info");
        }
        assertEquals(List.of("modfs_demo_mid"), m.info("modfs_demo_top").orElseThrow().dependencies());
        assertEquals(step.equals("publish") ? 0 : 1, count("modfs_demo_mid: loaded") - loadsBefore,
                "the half-loaded module is loaded again, a complete one is kept");
        if (step.equals("init")) {
            assertTrue(m.log().contains("modfs_demo_mid: unloaded"), "the live but unrecorded module was stopped");
        }
        Processes.Result inUse = m.run("rmmod", "modfs_demo_lib");
        assertEquals("rmmod: ERROR: Module modfs_demo_lib is in use by: modfs_demo_mid\n", inUse.stderrText());
    }

    @Test
    void rmmodRemovesWhatAKilledLoaderLeft() throws Exception {
        ok(m.run("modprobe", "modfs_demo_lib"));
        killAfter("parameters", "modfs_demo_mid");
        Processes.Result lsmod = m.run("lsmod");
        assertTrue(lsmod.stdoutText().contains("\nmodfs_demo_lib "), lsmod.stdoutText());
        assertTrue(lsmod.stdoutText().contains("\nmodfs_demo_mid "), lsmod.stdoutText());
        ok(m.run("rmmod", "modfs_demo_mid"));
        assertEquals(List.of("modfs_demo_lib"), m.modules());
        ok(m.run("rmmod", "modfs_demo_lib"));
    }

    @Test
    void killedDuringASlowInit() throws Exception {
        Process loader = m.start(Map.of(), "modprobe", "modfs_test_slow", "spins=" + SLOW_SPINS);
        waitForState("modfs_test_slow", "initializing");
        loader.destroyForcibly();
        assertTrue(loader.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the killed loader is gone");
        Processes.Result probe = m.run("modprobe", "modfs_test_slow", "spins=0");
        ok(probe);
        ModuleInfo info = m.info("modfs_test_slow").orElseThrow();
        assertEquals(List.of(new ModuleInfo.Parameter("spins", "ulong", 0444, "0", true),
                new ModuleInfo.Parameter("exit_seconds", "ulong", 0444, "0", false)), info.parameters());
        List<String> log = m.moduleLog();
        int killed = log.indexOf("modfs_test_slow: ready after " + SLOW_SPINS + " spins");
        assertTrue(killed >= 0, "the first init ran to its end: " + log);
        assertEquals(List.of("modfs_test_slow: gone", "modfs_test_slow: ready after 0 spins"),
                log.subList(killed + 1, log.size()), "stopped, then loaded again");
    }

    @Test
    void aRemoverKilledDuringASlowExit() throws Exception {
        ok(m.run("modprobe", "modfs_test_slow", "exit_seconds=5"));
        Process remover = m.start(Map.of(), "rmmod", "modfs_test_slow");
        waitForState("modfs_test_slow", "going");
        remover.destroyForcibly();
        assertTrue(remover.waitFor(2, TimeUnit.SECONDS), "the killed remover is gone at once");
        Processes.Result busy = m.run("rmmod", "modfs_test_slow");
        assertEquals("modfs_test_slow: module is going: its exit is still running\n"
                + ModfsFixture.RMMOD_LIBKMOD + "could not remove 'modfs_test_slow': Device or resource busy\n"
                + "rmmod: ERROR: could not remove module modfs_test_slow: Device or resource busy\n", busy.stderrText());
        // the next load waits for the exit, removes what it left and loads the module again
        ok(m.run("modprobe", "modfs_test_slow"));
        assertEquals("live", m.status("modfs_test_slow").orElseThrow().get(0));
        List<String> log = m.moduleLog();
        assertEquals(List.of("modfs_test_slow: gone", "modfs_test_slow: ready after 0 spins"),
                log.subList(log.size() - 2, log.size()));
    }

    @Test
    void aModuleBeingLoadedIsWaitedFor() throws Exception {
        long readyBefore = count("modfs_test_slow: ready after");
        Process loader = m.start(Map.of(), "modprobe", "modfs_test_slow", "spins=" + SLOW_SPINS);
        waitForState("modfs_test_slow", "initializing");
        Processes.Result second = m.run("modprobe", "modfs_test_slow", "spins=0");
        ok(second);
        assertEquals("live", m.status("modfs_test_slow").orElseThrow().get(0), "modprobe returned once it was live");
        assertTrue(loader.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, loader.exitValue(), new String(loader.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(1, count("modfs_test_slow: ready after") - readyBefore, "loaded once");
        assertEquals("" + SLOW_SPINS, m.info("modfs_test_slow").orElseThrow().parameters().get(0).value());
        Processes.Result insmod = m.run("insmod", m.ko("modfs_test_slow").toString());
        assertEquals("insmod: ERROR: could not insert module " + m.ko("modfs_test_slow") + ": File exists\n",
                insmod.stderrText());
    }

    /** modprobe MODULE in a process of its own, stopped after {@code step} and killed there. */
    private void killAfter(String step, String module) throws Exception {
        Process loader = m.start(Map.of(ModfsLoader.STOP_AFTER, step), "modprobe", module);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(loader.getErrorStream(),
                    StandardCharsets.ISO_8859_1))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
            lines.add("<end>");
        });
        reader.setDaemon(true);
        reader.start();
        String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals("modfs loader: stopped after " + step, line);
        loader.destroyForcibly();
        assertTrue(loader.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        reader.join(10_000);
    }

    private void waitForState(String module, String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            Optional<List<String>> status = m.status(module);
            if (status.isPresent() && status.get().get(0).equals(state)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError(module + " never became " + state);
    }

    private long count(String prefix) throws IOException {
        return m.moduleLog().stream().filter(l -> l.startsWith(prefix)).count();
    }
}

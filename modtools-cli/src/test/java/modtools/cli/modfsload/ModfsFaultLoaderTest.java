package modtools.cli.modfsload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import modtools.load.modfs.ModfsLoader;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands over a host whose modules fault or never return from init: insmod of a
 * faulting init fails with EFAULT in kmod's words and leaves nothing; a fault in exit leaves
 * a failed module that only rmmod -f removes; a thread that faults fails its live module;
 * a loader killed during an init that never returns is gone at once; and the names and files
 * the loader refuses, each with its message.
 */
class ModfsFaultLoaderTest extends OnSharedMount {
    private static final String LIBKMOD = ModfsFixture.RMMOD_LIBKMOD;
    private Path fault;

    @BeforeAll
    void buildFault() throws IOException {
        fault = build(tmp, "modfs_test_fault");
    }

    private static Path build(Path dir, String name) throws IOException {
        Path source = ModfsFixture.resource(name + ".c", dir.resolve(name + ".c"));
        Path ko = dir.resolve(name + ".ko");
        Processes.Result built = Processes.run(List.of(Corpus.repoRoot().resolve("sdk/build-module").toString(), "-o",
                ko.toString(), source.toString()));
        assertEquals(0, built.status(), built.stderrText());
        return ko;
    }

    /** The fault module by rmmod -f, the rest by modprobe -r, which must leave the mount empty. */
    @Override
    @AfterEach
    void nothingLeft() throws IOException {
        m.run("rmmod", "-f", "modfs_test_fault");
        m.run("modprobe", "-r", "modfs_demo_lib");
        assertEquals(List.of(), m.modules(), "every test leaves the mount empty");
    }

    @Test
    void aFaultingInitFailsWithBadAddressAndLeavesNothing() throws Exception {
        Processes.Result lib = m.run("modprobe", "modfs_demo_lib");
        assertEquals(0, lib.status(), lib.stderrText());
        String[] signals = {"SIGSEGV", "SIGILL", "SIGFPE"};
        for (int how = 1; how <= 3; how++) {
            Processes.Result r = m.run("insmod", fault.toString(), "where=1", "how=" + how);
            assertEquals(1, r.status());
            assertEquals("insmod: ERROR: could not insert module " + fault + ": Bad address\n", r.stderrText());
            String log = m.log();
            assertTrue(log.contains("RIP: 0010:fault_now+0x"), log);
            assertTrue(log.contains("/0x37 [modfs_test_fault]"), log);
            assertTrue(log.contains("modfs_test_fault/module: init faulted (" + signals[how - 1] + ")"), log);
            assertEquals(List.of("modfs_demo_lib"), m.modules());
        }
        assertEquals("128\n", m.read("taint"));
        Processes.Result lsmod = m.run("lsmod");
        assertEquals(0, lsmod.status(), lsmod.stderrText());
        assertEquals("", lsmod.stderrText());
    }

    @Test
    void aFaultInExitLeavesAFailedModuleThatOnlyRmmodForceRemoves() throws Exception {
        Processes.Result insmod = m.run("insmod", fault.toString(), "where=2");
        assertEquals(0, insmod.status(), insmod.stderrText());
        Processes.Result first = m.run("rmmod", "modfs_test_fault");
        assertEquals(LIBKMOD + "could not remove 'modfs_test_fault': Bad address\n"
                + "rmmod: ERROR: could not remove module modfs_test_fault: Bad address\n", first.stderrText());
        assertEquals("failed", m.status("modfs_test_fault").orElseThrow().get(0));
        Processes.Result again = m.run("rmmod", "modfs_test_fault");
        assertEquals("modfs_test_fault: module is failed: its code faulted (see the mount's log); rmmod -f removes it"
                + " without running its exit\n" + LIBKMOD + "could not remove 'modfs_test_fault': Device or resource busy\n"
                + "rmmod: ERROR: could not remove module modfs_test_fault: Device or resource busy\n", again.stderrText());
        Processes.Result forced = m.run("rmmod", "-f", "modfs_test_fault");
        assertEquals(0, forced.status(), forced.stderrText());
        assertTrue(m.log().contains("RIP: 0010:fault_now+0x"), m.log());
    }

    @Test
    void aThreadThatFaultsFailsItsLiveModule() throws Exception {
        Processes.Result insmod = m.run("insmod", fault.toString(), "where=3");
        // The thread may fault before init has returned (the load then fails) or after (the
        // module loaded, then failed): either way the host says which thread it was.
        if (insmod.status() != 0) {
            assertEquals("insmod: ERROR: could not insert module " + fault + ": Bad address\n", insmod.stderrText());
        } else {
            long deadline = System.currentTimeMillis() + 5000;
            while (!m.status("modfs_test_fault").orElseThrow().get(0).equals("failed")
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertEquals("failed", m.status("modfs_test_fault").orElseThrow().get(0));
            assertEquals(0, m.run("rmmod", "-f", "modfs_test_fault").status());
        }
        assertTrue(m.log().contains("modfs_test_fault/module: a thread of the module faulted (SIGSEGV)"), m.log());
        assertTrue(m.log().contains("RIP: 0010:fault_now+0x"), m.log());
    }

    @Test
    void aModuleThatFailedAfterItsLoaderWasKilledNeedsRmmodForce() throws Exception {
        Process loader = m.start(Map.of(ModfsLoader.STOP_AFTER, "init"), "insmod", fault.toString(),
                "where=5");
        try (BufferedReader err = new BufferedReader(new InputStreamReader(loader.getErrorStream()))) {
            assertEquals("modfs loader: stopped after init", err.readLine());
        }
        loader.destroyForcibly();
        assertTrue(loader.waitFor(10, TimeUnit.SECONDS));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!m.status("modfs_test_fault").orElseThrow().get(0).equals("failed") && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("failed", m.status("modfs_test_fault").orElseThrow().get(0));
        assertTrue(m.info("modfs_test_fault").isEmpty(), "the loader was killed before it wrote the info");
        String why = "modfs_test_fault: module is failed: its loader is gone and its init failed or its code faulted"
                + " (see the mount's log); rmmod -f removes it without running its exit\n";
        Processes.Result rmmod = m.run("rmmod", "modfs_test_fault");
        assertEquals(1, rmmod.status());
        assertEquals(why + LIBKMOD + "could not remove 'modfs_test_fault': Device or resource busy\n"
                + "rmmod: ERROR: could not remove module modfs_test_fault: Device or resource busy\n", rmmod.stderrText());
        Processes.Result insmod = m.run("insmod", fault.toString());
        assertEquals(why + "insmod: ERROR: could not insert module " + fault + ": Device or resource busy\n",
                insmod.stderrText());
        assertEquals("failed", m.status("modfs_test_fault").orElseThrow().get(0), "neither removed it");
        Processes.Result forced = m.run("rmmod", "-f", "modfs_test_fault");
        assertEquals(0, forced.status(), forced.stderrText());
        assertEquals(List.of(), m.modules());
    }

    @Test
    void aLoaderKilledDuringAnInitThatNeverReturnsIsGoneAtOnce(@TempDir Path own) throws Exception {
        try (ModfsFixture f = new ModfsFixture(own)) {
            Process loader = f.start(Map.of(), "insmod", fault.toString(), "where=4");
            long deadline = System.currentTimeMillis() + 30_000;
            while (f.status("modfs_test_fault").map(s -> !s.get(0).equals("initializing")).orElse(true)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertEquals("initializing", f.status("modfs_test_fault").orElseThrow().get(0));
            long killed = System.nanoTime();
            loader.destroyForcibly();
            assertTrue(loader.waitFor(2, TimeUnit.SECONDS), "the killed loader is still there");
            System.out.println("killed loader gone after " + (System.nanoTime() - killed) / 1_000_000 + " ms");
            Processes.Result rmmod = f.run("rmmod", "modfs_test_fault");
            assertEquals("modfs_test_fault: module is initializing: its init is still running\n"
                    + LIBKMOD + "could not remove 'modfs_test_fault': Device or resource busy\n"
                    + "rmmod: ERROR: could not remove module modfs_test_fault: Device or resource busy\n",
                    rmmod.stderrText());
            assertEquals("initializing", f.status("modfs_test_fault").orElseThrow().get(0));
        }
        assertTrue(!modtools.contract.MountPath.mounted(own.resolve("modfs")), "umount recovered the mount");
    }

    @Test
    void insmodTimeoutGivesUpOnAnInitThatNeverReturns(@TempDir Path own) throws Exception {
        try (ModfsFixture f = new ModfsFixture(own)) {
            Process loader = f.start(Map.of(), "insmod", "--timeout", "1.5", fault.toString(), "where=4");
            assertTrue(loader.waitFor(60, TimeUnit.SECONDS), "insmod --timeout 1.5 is still waiting");
            assertEquals(1, loader.exitValue());
            assertEquals("insmod: ERROR: could not insert module " + fault + ": Timer expired\n",
                    new String(loader.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("initializing", f.status("modfs_test_fault").orElseThrow().get(0));
            assertTrue(f.info("modfs_test_fault").isEmpty(), "nothing was published");
            Processes.Result rmmod = f.run("rmmod", "modfs_test_fault");
            assertEquals("modfs_test_fault: module is initializing: its init is still running\n"
                    + LIBKMOD + "could not remove 'modfs_test_fault': Device or resource busy\n"
                    + "rmmod: ERROR: could not remove module modfs_test_fault: Device or resource busy\n",
                    rmmod.stderrText());
        }
        assertTrue(!modtools.contract.MountPath.mounted(own.resolve("modfs")), "umount recovered the mount");
    }

    @Test
    void insmodTimeoutThatIsNotReachedLoadsAndABadOneIsRefused() throws Exception {
        Processes.Result loaded = m.run("insmod", "--timeout=30", fault.toString());
        assertEquals(0, loaded.status(), loaded.stderrText());
        assertEquals("live", m.status("modfs_test_fault").orElseThrow().get(0));
        for (String bad : List.of("0", "-1", "abc", "1e3", "")) {
            Processes.Result r = m.run("insmod", "--timeout=" + bad, fault.toString());
            assertEquals(1, r.status());
            assertEquals("insmod: ERROR: --timeout: '" + bad + "' is not a number of seconds above 0\n", r.stderrText());
        }
    }

    @Test
    void namesAndFilesTheLoaderRefuses() throws Exception {
        Path plain = tmp.resolve("plain.c");
        Files.writeString(plain, "int init_module(void) { return 0; }\n");
        Path object = tmp.resolve("plain.o");
        assertEquals(0, Processes.run(List.of("gcc", "-c", "-O2", "-mcmodel=small", "-fno-pic", plain.toString(), "-o",
                object.toString())).status());
        for (String bad : List.of("two words.o", "x".repeat(56) + ".o")) {
            Path named = tmp.resolve(bad);
            Files.copy(object, named);
            Processes.Result r = m.run("insmod", named.toString());
            String name = bad.substring(0, bad.length() - 2);
            assertEquals(1, r.status());
            assertTrue(r.stderrText().startsWith("'" + name + "': a module name "), r.stderrText());
            assertTrue(r.stderrText().endsWith("insmod: ERROR: could not insert module " + named
                    + ": Invalid parameters\n"), r.stderrText());
        }
        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        assertEquals("insmod: ERROR: could not insert module " + dir + ": Is a directory\n",
                m.run("insmod", dir.toString()).stderrText());
        Path huge = tmp.resolve("huge.ko");
        try (var file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(1L << 31);
        }
        Processes.Result r = m.run("insmod", huge.toString());
        assertTrue(r.stderrText().endsWith("insmod: ERROR: could not insert module " + huge + ": Invalid module format\n"),
                r.stderrText());
        Files.delete(huge);
    }
}

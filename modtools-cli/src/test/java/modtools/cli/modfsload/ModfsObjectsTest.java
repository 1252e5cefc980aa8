package modtools.cli.modfsload;

import static modtools.cli.modfsload.ModfsFixture.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import modtools.cli.Tool;
import modtools.contract.ModuleStatus;
import modtools.load.info.ModuleInfo;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects the SDK did not build: a chain written by hand (exports only in
 * {@code __ksymtab_strings}, a parameter declared by {@code parmtype=}), a plain {@code gcc -c}
 * object, and several objects loaded as one module; and their symbols, live and after rmmod.
 */
class ModfsObjectsTest extends OnSharedMount {
    private static final List<String> SOURCES = List.of("hw_lib", "hw_mid", "ping", "pong", "refuse", "plain");
    private Path objects;

    @BeforeAll
    void compileObjects() throws IOException {
        objects = Files.createDirectories(tmp.resolve("objects"));
        for (String name : SOURCES) {
            Path c = ModfsFixture.resource("objects/" + name + ".c", objects.resolve(name + ".c"));
            Processes.Result cc = Processes.run(List.of("gcc", "-c", "-O2", "-fno-stack-protector", "-o",
                    objects.resolve(name + ".o").toString(), c.toString()));
            assertEquals(0, cc.status(), cc.stderrText());
        }
        for (String name : List.of("hw_lib", "hw_mid")) {
            Files.copy(objects.resolve(name + ".o"), m.moduleDir.resolve("extra").resolve(name + ".ko"));
        }
        Processes.Result depmod = Tool.ours("depmod", List.of("-b", m.base.toString(), ModfsFixture.VERSION));
        assertEquals(0, depmod.status(), depmod.stderrText());
    }

    private String object(String name) {
        return objects.resolve(name + ".o").toString();
    }

    @Test
    void handWrittenChainLoadsWithModprobeTakesItsParameterAndUnloads() throws IOException {
        Path conf = m.base.resolve("hw.conf");
        Files.writeString(conf, "options hw_mid factor=4\n");
        int before = m.moduleLog().size();
        ok(m.run("modprobe", "-C", conf.toString(), "hw_mid"));
        ok(m.run("modprobe", "-r", "hw_mid", "hw_lib"));
        ok(m.run("modprobe", "hw_mid", "factor=5"));
        assertEquals(List.of("hw_lib: loaded", "hw_mid: factor 4 gives 12", "hw_mid: unloaded", "hw_lib: unloaded",
                "hw_lib: loaded", "hw_mid: factor 5 gives 15"), m.logSince(before));
        ModuleInfo mid = m.info("hw_mid").orElseThrow();
        assertEquals(List.of("hw_lib"), mid.dependencies());
        assertEquals(List.of(new ModuleInfo.Parameter("factor", "int", 0, "5", true)), mid.parameters());
        ModuleInfo lib = m.info("hw_lib").orElseThrow();
        assertEquals(List.of("hw_lib_triple"), lib.exports().stream().map(ModuleInfo.Export::name).toList());

        Processes.Result inUse = m.run("rmmod", "hw_lib");
        assertEquals(1, inUse.status());
        assertEquals("rmmod: ERROR: Module hw_lib is in use by: hw_mid\n", inUse.stderrText());
        ok(m.run("modprobe", "-r", "hw_mid", "hw_lib"));
        assertEquals(List.of(), m.modules());
    }

    @Test
    void plainObjectLoadsUnderItsFileName() throws IOException {
        int before = m.moduleLog().size();
        ok(m.run("insmod", object("plain")));
        assertEquals(List.of("plain: init"), m.logSince(before));
        assertEquals(List.of(object("plain")), m.info("plain").orElseThrow().objects());
        ok(m.run("rmmod", "plain"));
        assertEquals(List.of("plain: init", "plain: exit"), m.logSince(before));
    }

    @Test
    void twoObjectsReferringToEachOtherAreOneModule() throws IOException {
        int before = m.moduleLog().size();
        ok(m.run("insmod", object("ping"), object("pong")));
        assertEquals(List.of("ping"), m.modules());
        assertEquals(List.of("ping: init, pong answers 2", "pong: init, ping answers 40"), m.logSince(before));
        assertEquals(List.of(object("ping"), object("pong")), m.info("ping").orElseThrow().objects());
        Processes.Result json = m.run("lsmod", "--json");
        ok(json);
        assertTrue(json.stdoutText().contains("\"objects\":[\"" + object("ping") + "\",\"" + object("pong") + "\"]"),
                json.stdoutText());
        ok(m.run("rmmod", "ping"));
        assertEquals(List.of("ping: init, pong answers 2", "pong: init, ping answers 40", "pong: exit", "ping: exit"),
                m.logSince(before));
    }

    @Test
    void aFailingSecondInitUndoesTheFirstAndLeavesNothing() throws IOException {
        int before = m.moduleLog().size();
        Processes.Result r = m.run("insmod", object("ping"), object("refuse"), object("pong"));
        assertEquals(1, r.status());
        assertEquals("insmod: ERROR: could not insert module " + object("ping") + ": Invalid parameters\n",
                r.stderrText());
        assertEquals(List.of("ping: init, pong answers 2", "refuse: init fails", "ping: exit"), m.logSince(before));
        assertEquals(List.of(), m.modules());
    }

    @Test
    void symbolsListLiveModulesAndRemovedOnesStayNamed() throws IOException {
        Path stale = Files.createDirectories(Path.of(m.state().get("MODTOOLS_STATE_DIR"), "unloaded", "gone"));
        Files.writeString(stale.resolve("mount"), m.base.resolve("no-such-mount") + "\n1\n0:1\n");
        ok(m.run("insmod", object("plain")));
        assertTrue(!Files.exists(stale), "the store of a mount that is gone is removed by the next loader");
        ModuleInfo info = m.info("plain").orElseThrow();
        List<String> lines = List.of(m.read("symbols").split("\n"));
        String init = String.format("%016x t init_module\t[plain]", info.init());
        assertTrue(lines.contains(init), init + " in " + lines);
        Optional<String> probe = lines.stream().filter(l -> l.endsWith(" t plain_probe\t[plain]")).findFirst();
        assertTrue(probe.isPresent(), "plain_probe in " + lines);
        long address = Long.parseUnsignedLong(probe.get().substring(0, 16), 16);
        assertTrue(address >= info.base() && address < info.base() + info.coreSize(), probe.get());

        String inside = ModuleStatus.hex(address + 2);
        Processes.Result live = m.run("symbolize", inside);
        ok(live);
        assertTrue(live.stdoutText().matches("plain_probe\\+0x2/0x[0-9a-f]+ \\[plain\\]\n"), live.stdoutText());

        ok(m.run("rmmod", "plain"));
        Processes.Result gone = m.run("symbolize", inside, "0x10");
        ok(gone);
        assertTrue(gone.stdoutText().matches("plain_probe\\+0x2/0x[0-9a-f]+ \\[plain, unloaded \\d{4}-\\d\\d-\\d\\dT"
                + "\\d\\d:\\d\\d:\\d\\dZ\\]\n0x10: not in any module\n"), gone.stdoutText());
    }
}

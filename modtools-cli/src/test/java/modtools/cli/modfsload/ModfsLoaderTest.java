package modtools.cli.modfsload;

import static modtools.cli.modfsload.ModfsFixture.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import modtools.cli.Reference;
import modtools.cli.TestModules;
import modtools.cli.Tool;
import modtools.contract.ModuleStatus;
import modtools.deps.KmodLevel;
import modtools.elf.module.ZstdReading;
import modtools.load.info.MiniJson;
import modtools.load.info.ModuleInfo;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * insmod, rmmod, modprobe and lsmod over a real modfs mount with the SDK's examples: the chain
 * {@code modfs_demo_lib ← modfs_demo_mid ← modfs_demo_top} with parameters from modprobe.d and
 * the command line, the modules' own messages in {@code log}, kmod's messages for a module in
 * use, an unknown symbol, a failing init, a refused parameter and a foreign vermagic, and
 * nothing left in the mount after any of them.
 */
class ModfsLoaderTest extends OnSharedMount {
    @Test
    void chainLoadsInOrderWithParametersFromConfigurationAndCommandLine() throws IOException {
        Path conf = tmp.resolve("chain.conf");
        Files.writeString(conf, "options modfs_demo_mid who=config\noptions modfs_demo_top value=5\n");
        int before = m.moduleLog().size();
        Processes.Result probe = m.run("modprobe", "-C", conf.toString(), "-v", "modfs_demo_top", "value=7");
        ok(probe);
        assertEquals("insmod " + m.ko("modfs_demo_lib") + " \n"
                + "insmod " + m.ko("modfs_demo_mid") + " who=config \n"
                + "insmod " + m.ko("modfs_demo_top") + " value=5 value=7\n", probe.stdoutText());
        assertEquals(List.of(
                "modfs_demo_lib: loaded, counter at 0",
                "modfs_demo_mid: loaded: 2 + 3 = 5, hello, config (#1), counter 1",
                "modfs_demo_top: loaded: twice(7) = 14"), m.logSince(before));

        ModuleInfo lib = m.info("modfs_demo_lib").orElseThrow();
        ModuleInfo mid = m.info("modfs_demo_mid").orElseThrow();
        ModuleInfo top = m.info("modfs_demo_top").orElseThrow();
        assertEquals(List.of(), lib.dependencies());
        assertEquals(List.of("modfs_demo_lib"), mid.dependencies());
        assertEquals(List.of("modfs_demo_mid"), top.dependencies());
        assertEquals(List.of(new ModuleInfo.Parameter("value", "int", 0444, "7", true)), top.parameters());
        assertEquals(List.of(new ModuleInfo.Parameter("who", "charp", 0444, "config", true)), mid.parameters());
        assertEquals(m.ko("modfs_demo_top").toString(), top.source());
        assertEquals(List.of("demo_lib_add", "demo_lib_counter", "demo_lib_greet", "demo_lib_next"),
                lib.exports().stream().map(ModuleInfo.Export::name).toList());
        assertEquals(List.of(false, false, false, true), lib.exports().stream().map(ModuleInfo.Export::gpl).toList());
        for (ModuleInfo info : List.of(lib, mid, top)) {
            List<String> status = m.status(info.name()).orElseThrow();
            assertEquals(List.of("live", ModuleStatus.hex(info.base()), Long.toString(info.coreSize())), status,
                    "live, its init part dropped");
            assertTrue(info.coreSize() < info.imageSize(), info.name() + ": init code is dropped");
            for (ModuleInfo.Export e : info.exports()) {
                assertTrue(e.address() >= info.base() && e.address() < info.base() + info.coreSize(), e.toString());
            }
        }

        Processes.Result lsmod = m.run("lsmod");
        ok(lsmod);
        assertEquals(String.format("Module                  Size  Used by%n"
                + "modfs_demo_top      %8d  0%n"
                + "modfs_demo_mid      %8d  1 modfs_demo_top%n"
                + "modfs_demo_lib      %8d  1 modfs_demo_mid%n", top.coreSize(), mid.coreSize(), lib.coreSize()),
                lsmod.stdoutText());
        Processes.Result json = m.run("lsmod", "--json");
        ok(json);
        List<String> lines = List.of(json.stdoutText().split("\n"));
        assertEquals(3, lines.size());
        assertEquals(Map.of("name", "modfs_demo_mid", "size", mid.coreSize(), "used", 1L, "holders",
                List.of("modfs_demo_top"), "objects", List.of(m.ko("modfs_demo_mid").toString())), parse(lines.get(1)));

        Processes.Result inUse = m.run("rmmod", "modfs_demo_lib");
        assertEquals(1, inUse.status());
        assertEquals("rmmod: ERROR: Module modfs_demo_lib is in use by: modfs_demo_mid\n", inUse.stderrText());
        // kmod 34.2 words the line as one message where kmod 30 printed the holders itself: same bytes on stderr
        Processes.Result inUse34 = m.run(KmodLevel.KMOD34, "rmmod", "modfs_demo_lib");
        assertEquals(1, inUse34.status());
        assertEquals(inUse.stderrText(), inUse34.stderrText());
        assertTrue(m.info("modfs_demo_lib").isPresent(), "still loaded");

        // kmod 30 walks a module's dependencies in load order and removes those unused at that
        // moment: modfs_demo_lib is still used by modfs_demo_mid when its turn comes.
        Processes.Result remove = m.run("modprobe", "-r", "-v", "modfs_demo_top");
        ok(remove);
        assertEquals("rmmod modfs_demo_top\nrmmod modfs_demo_mid\n", remove.stdoutText());
        assertEquals(List.of("modfs_demo_lib"), m.modules());
        ok(m.run("modprobe", "-r", "modfs_demo_lib"));
        assertEquals(List.of(), m.modules(), "nothing left in the mount");
        List<String> log = m.moduleLog();
        assertEquals(List.of("modfs_demo_top: unloaded", "modfs_demo_mid: unloaded, counter 2",
                "modfs_demo_lib: unloaded after 2 calls"), log.subList(log.size() - 3, log.size()));
    }

    @Test
    void modprobeRemovesTheWholeChainNamedTogether() throws IOException {
        ok(m.run("modprobe", "modfs_demo_top"));
        assertEquals(List.of("modfs_demo_lib", "modfs_demo_mid", "modfs_demo_top"), m.modules());
        ok(m.run("modprobe", "-r", "modfs_demo_top", "modfs_demo_lib"));
        assertEquals(List.of(), m.modules());
    }

    @Test
    void unknownSymbolIsNamedAndNothingStays() throws IOException {
        Processes.Result r = m.run("insmod", m.ko("modfs_demo_mid").toString());
        assertEquals(1, r.status());
        assertEquals("modfs_demo_mid: Unknown symbol demo_lib_add (err -2)\n"
                + "modfs_demo_mid: Unknown symbol demo_lib_greet (err -2)\n"
                + "modfs_demo_mid: Unknown symbol demo_lib_counter (err -2)\n"
                + "modfs_demo_mid: Unknown symbol demo_lib_next (err -2)\n"
                + "insmod: ERROR: could not insert module " + m.ko("modfs_demo_mid") + ": Unknown symbol in module\n",
                r.stderrText());
        assertEquals(List.of(), m.modules());
        Processes.Result probe = m.run("modprobe", "-i", "--ignore-install", "modfs_demo_mid");
        ok(probe);
        assertEquals(List.of("modfs_demo_lib", "modfs_demo_mid"), m.modules(), "modprobe loads the library first");
        ok(m.run("modprobe", "-r", "modfs_demo_mid", "modfs_demo_lib"));
    }

    @Test
    void failingInitIsReportedWithItsErrno() throws IOException {
        int before = m.moduleLog().size();
        Processes.Result r = m.run("insmod", m.ko("modfs_demo_fail").toString());
        assertEquals(1, r.status());
        assertEquals("insmod: ERROR: could not insert module " + m.ko("modfs_demo_fail") + ": No such device\n",
                r.stderrText());
        assertEquals(List.of("modfs_demo_fail: refusing to start: no such device here"), m.logSince(before));
        assertEquals(List.of(), m.modules());
        Processes.Result probe = m.run("modprobe", "modfs_demo_fail");
        assertEquals(1, probe.status());
        assertEquals("modprobe: ERROR: could not insert 'modfs_demo_fail': No such device\n", probe.stderrText());
        assertEquals(List.of(), m.modules());
    }

    @Test
    void everyParameterTypeIsSetInTheImage() throws IOException {
        int before = m.moduleLog().size();
        Processes.Result r = m.run("insmod", m.ko("modfs_demo_params").toString(), "count=2", "ratio=0x10",
                "offset=-7", "limit=010", "level=-300", "port=65535", "tag=255", "big=18446744073709551615",
                "mask=0xBEEF", "verbose", "loud=on", "greeting=\"bon jour\"", "unknown-thing=1");
        assertEquals(0, r.status(), r.stderrText());
        assertEquals("modfs_demo_params: unknown parameter 'unknown-thing' ignored\n", r.stderrText(),
                "the kernel's warning, and the load goes on");
        assertEquals(List.of(
                "modfs_demo_params: count=2 ratio=16 offset=-7 limit=8 level=-300 port=65535 tag=255 "
                        + "big=18446744073709551615 mask=0xbeef verbose=1 quiet=0 greeting=bon jour",
                "modfs_demo_params: bon jour #1",
                "modfs_demo_params: bon jour #2"), m.logSince(before));
        List<String> shown = new ArrayList<>();
        for (ModuleInfo.Parameter p : m.info("modfs_demo_params").orElseThrow().parameters()) {
            shown.add(p.name() + "=" + p.value() + (p.given() ? "" : " (default)"));
        }
        assertEquals(List.of("count=2", "ratio=16", "offset=-7", "limit=8", "level=-300", "port=65535", "tag=255",
                "big=18446744073709551615", "mask=0x00beef", "verbose=Y", "loud=Y", "greeting=bon jour"), shown);
        ok(m.run("rmmod", "modfs_demo_params"));
    }

    @Test
    void refusedParametersStopTheLoad() throws IOException {
        String ko = m.ko("modfs_demo_params").toString();
        Processes.Result bad = m.run("insmod", ko, "count=abc");
        assertEquals(1, bad.status());
        assertEquals("modfs_demo_params: `abc' invalid for parameter `count'\n"
                + "insmod: ERROR: could not insert module " + ko + ": Invalid parameters\n", bad.stderrText());
        Processes.Result range = m.run("insmod", ko, "tag=256");
        assertEquals("modfs_demo_params: `256' invalid for parameter `tag'\n"
                + "insmod: ERROR: could not insert module " + ko + ": Invalid parameters\n", range.stderrText());
        Processes.Result noValue = m.run("insmod", ko, "count");
        assertEquals("modfs_demo_params: `' invalid for parameter `count'\n"
                + "insmod: ERROR: could not insert module " + ko + ": Invalid parameters\n", noValue.stderrText());
        String long1024 = "x".repeat(1024);
        Processes.Result tooLong = m.run("insmod", ko, "greeting=" + long1024);
        assertEquals("modfs_demo_params: `" + long1024 + "' too large for parameter `greeting'\n"
                + "insmod: ERROR: could not insert module " + ko + ": No space left on device\n", tooLong.stderrText());
        assertEquals(List.of(), m.modules());
        ok(m.run("insmod", ko, "greeting=" + "x".repeat(1023)));
        ok(m.run("rmmod", "modfs_demo_params"));
    }

    /**
     * A .ko.xz its decoder rejects stops before modfs sees anything, in kmod's words: kmod 34.2's
     * insmod and modprobe give the decoder's line, then EINVAL, kmod 30's the EINVAL alone. kmod
     * decodes before it asks the kernel, so its output here is the same whatever the kernel; it
     * runs only where the kernel cannot load modules, lest a file it could read reach the kernel.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void damagedCompressedModulesStopBeforeTheMount(KmodLevel level) throws IOException {
        Reference.assumeNoModuleSupport("kmod's insmod");
        Path dir = Files.createDirectories(tmp.resolve("damaged-" + level.setting()));
        TestModules.writeDamagedXz(dir);
        Map<String, String> env = new java.util.HashMap<>(m.state());
        env.put(KmodLevel.VARIABLE, level.setting());
        for (String file : List.of("garbage.ko.xz", "truncated.ko.xz")) {
            String path = dir.resolve(file).toString();
            List<List<String>> calls = new ArrayList<>(List.of(List.of("insmod", path), List.of("insmod", "-f", path)));
            if (level.loadsModulesByPath()) {
                calls.add(List.of("modprobe", path));
            }
            for (List<String> call : calls) {
                Processes.Result kmod = Processes.run(Reference.command(level, call.get(0), call.subList(1, call.size())));
                Processes.Result ours = Tool.ours(call.get(0), m.args(call.get(0), call.subList(1, call.size())
                        .toArray(String[]::new)), env);
                String what = String.join(" ", call) + " at level " + level.setting();
                assertEquals(kmod.stderrText(), ours.stderrText(), what);
                assertEquals(kmod.status(), ours.status(), what);
                assertEquals(List.of(), m.modules(), what);
            }
        }
    }

    /**
     * A .ko.zst whose zstd frame header gives no content size. At level 34, insmod and modprobe
     * by path stop where kmod 34.2 stops (its decoder's line, EINVAL) and nothing is mounted. At
     * level 30, kmod 30 reads it: its insmod gets as far with it as with the plain object (the
     * kernel's refusal here), and ours loads it as it loads the plain object.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void zstdWithoutContentSize(KmodLevel level) throws IOException {
        Reference.assumeNoModuleSupport("kmod's insmod");
        Path dir = Files.createDirectories(tmp.resolve("unsized-" + level.setting()));
        Path plain = m.ko("modfs_demo_lib");
        String path = TestModules.writeUnsizedZstd(plain, dir.resolve("modfs_demo_lib.ko.zst")).toString();
        Map<String, String> env = new java.util.HashMap<>(m.state());
        env.put(KmodLevel.VARIABLE, level.setting());
        if (level.zstdReading() == ZstdReading.STREAM) {
            Processes.Result zst = Processes.run(Reference.command(level, "insmod", List.of(path)));
            Processes.Result ko = Processes.run(Reference.command(level, "insmod", List.of(plain.toString())));
            assertEquals(ko.stderrText().replace(plain.toString(), path), zst.stderrText(), "kmod 30 reads it");
            assertEquals(ko.status(), zst.status());
            ok(Tool.ours("insmod", m.args("insmod", path), env));
            assertEquals(List.of("modfs_demo_lib"), m.modules());
            ok(m.run("rmmod", "modfs_demo_lib"));
            return;
        }
        for (String tool : List.of("insmod", "modprobe")) {
            Processes.Result kmod = Processes.run(Reference.command(level, tool, List.of(path)));
            Processes.Result ours = Tool.ours(tool, m.args(tool, path), env);
            String what = tool + " at level " + level.setting();
            assertEquals(kmod.stderrText(), ours.stderrText(), what);
            assertTrue(kmod.stderrText().contains("zstd: Failed to determine decompression size"), kmod.stderrText());
            assertEquals(kmod.status(), ours.status(), what);
            assertEquals(List.of(), m.modules(), what);
        }
    }

    @Test
    void foreignVermagicIsRefusedUnlessForced() throws IOException {
        Path copy = tmp.resolve("modfs_demo_lib.ko");
        byte[] bytes = Files.readAllBytes(m.ko("modfs_demo_lib"));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("vermagic=1.0.0-modfs");
        assertTrue(at > 0);
        bytes[at + "vermagic=1.0.".length()] = '9';
        Files.write(copy, bytes);
        Processes.Result r = m.run("insmod", copy.toString());
        assertEquals(1, r.status());
        assertEquals("modfs_demo_lib: version magic '1.0.9-modfs mod_unload' should be '1.0.0-modfs mod_unload'\n"
                + "insmod: ERROR: could not insert module " + copy + ": Invalid module format\n", r.stderrText());
        assertEquals(List.of(), m.modules());
        ok(m.run("insmod", "-f", copy.toString()));
        ok(m.run("rmmod", "modfs_demo_lib"));
    }

    @Test
    void loadedTwiceAndNotLoadedAreKmodsMessages() throws IOException {
        String ko = m.ko("modfs_demo_lib").toString();
        ok(m.run("insmod", ko));
        Processes.Result again = m.run("insmod", ko);
        assertEquals(1, again.status());
        assertEquals("insmod: ERROR: could not insert module " + ko + ": File exists\n", again.stderrText());
        ok(m.run("modprobe", "modfs_demo_lib"));
        Processes.Result first = m.run("modprobe", "--first-time", "modfs_demo_lib");
        assertEquals(1, first.status());
        assertEquals("modprobe: ERROR: could not insert 'modfs_demo_lib': Module already in kernel\n",
                first.stderrText());
        ok(m.run("rmmod", "modfs_demo_lib"));
        Processes.Result gone = m.run("rmmod", "modfs_demo_lib");
        assertEquals(1, gone.status());
        assertEquals("rmmod: ERROR: Module modfs_demo_lib is not currently loaded\n", gone.stderrText());
    }

    @Test
    void notAModfsIsAnError() {
        Processes.Result r = modtools.cli.Tool.ours("insmod", List.of("--modfs", tmp.toString(),
                m.ko("modfs_demo_lib").toString()));
        assertEquals(1, r.status());
        assertEquals("insmod: ERROR: no modfs is mounted at " + tmp + "\n", r.stderrText());
    }

    @Test
    void aDirectoryLeftAfterMkdirIsTakenOver() throws IOException {
        Files.createDirectory(m.mount.resolve("modfs_demo_lib"));
        ok(m.run("modprobe", "modfs_demo_lib"));
        assertTrue(m.info("modfs_demo_lib").isPresent());
        Files.createDirectory(m.mount.resolve("modfs_demo_top"));
        Processes.Result lsmod = m.run("lsmod");
        assertTrue(lsmod.stdoutText().startsWith("Module                  Size  Used by\nmodfs_demo_top             0  0\n"),
                lsmod.stdoutText());
        ok(m.run("rmmod", "modfs_demo_top"));
        assertEquals(List.of("modfs_demo_lib"), m.modules());
    }

    private static Object parse(String json) {
        try {
            return MiniJson.parse(json);
        } catch (MiniJson.ParseException e) {
            throw new AssertionError(json, e);
        }
    }
}

package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import modtools.cli.insmod.InsmodCommand;
import modtools.cli.lsmod.LsmodCommand;
import modtools.cli.modprobe.Host;
import modtools.cli.modprobe.ModprobeCommand;
import modtools.cli.rmmod.RmmodCommand;
import modtools.deps.KmodLevel;
import modtools.load.linux.LinuxModuleLoader;
import modtools.load.linux.NoModuleSupport;
import modtools.load.linux.SysfsKernelState;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * lsmod, rmmod and insmod against kmod's on a machine whose kernel has no module support (no
 * /proc/modules), which makes every call that would change a kernel fail harmlessly with
 * ENOSYS for both. kmod reads a /proc and /sys/module of the test's making, bind-mounted in a
 * private mount namespace; ours reads the same files through its injected paths. insmod goes
 * through our real Linux backend, so JNA, the file checks, decompression and the fallback from
 * finit_module to init_module meet the same kernel kmod's do. The kernel test
 * (scripts/test-kernel) does the rest against a kernel that loads modules.
 */
class LinuxToolsDifferentialTest {
    @TempDir
    static Path tmp;
    private static Path proc;
    private static Path sys;

    @BeforeAll
    static void fixture() throws IOException {
        Reference.assumeNoModuleSupport("kmod's rmmod and insmod");
        MadeUpKernel kernel = MadeUpKernel.write(tmp);
        proc = kernel.proc();
        sys = kernel.sysModule();
        Files.writeString(tmp.resolve("vxlan.ko"), "not a module: rmmod only takes its name\n");
    }

    /** The level's kmod tool with our /proc and /sys/module in its place. */
    private static Processes.Result kmod(KmodLevel level, String tool, List<String> args) {
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount --bind \"$1\" /proc && mount --bind \"$2\" /sys/module && shift 2 && exec \"$@\"",
                "sh", proc.toString(), sys.toString()));
        command.addAll(Reference.command(level, tool, args));
        Processes.Result r = Processes.run(command);
        assumeTrue(!r.stderrText().startsWith("unshare:") && !r.stderrText().startsWith("mount:"),
                "needs a private mount namespace: " + r.stderrText());
        return r;
    }

    private static Host host() {
        return new Host(proc.resolve("cmdline"), new SysfsKernelState(sys), new NoModuleSupport(), Map.of());
    }

    private static List<String> split(String args) {
        return args.isEmpty() ? List.of() : List.of(args.replace("TMP", tmp.toString()).split(" "));
    }

    /** Each case at both levels. */
    private static Stream<Arguments> atBothLevels(String... cases) {
        return Stream.of(KmodLevel.values()).flatMap(level -> Stream.of(cases).map(c -> Arguments.of(level, c)));
    }

    /** kmod 34 added -s -v -V -h and calls operands an error; kmod 30 prints its usage for any argument. */
    private static Stream<Arguments> lsmodCases() {
        return atBothLevels("", "x", "-s", "-v", "-v -v", "-h", "--help", "--verb", "-x", "--nosuch", "-s x", "-- x");
    }

    @ParameterizedTest
    @MethodSource("lsmodCases")
    void lsmod(KmodLevel level, String args) {
        List<String> argv = split(args);
        Processes.Result ours = Tool.ours(level, "lsmod", argv, new LsmodCommand(host(), proc.resolve("modules")));
        ModinfoDifferentialTest.assertSameOutput(kmod(level, "lsmod", argv), ours, "lsmod " + args + " at level "
                + level.setting());
    }

    private static Stream<Arguments> rmmodCases() {
        return atBothLevels("", "vxlan", "udp_tunnel", "ip6-udp-tunnel", "tls", "busy", "norefcnt", "badrefcnt",
                "noholders", "nodir", "coming", "going", "nodir vxlan busy a", "-f udp_tunnel", "--force busy",
                "-v vxlan", "-v -v nodir", "TMP/vxlan.ko", "vxlan.ko", "-w vxlan", "-x", "--nosuch", "-h", "--help");
    }

    @ParameterizedTest
    @MethodSource("rmmodCases")
    void rmmod(KmodLevel level, String args) {
        List<String> argv = split(args);
        Processes.Result ours = Tool.ours(level, "rmmod", argv, new RmmodCommand(host()));
        ModinfoDifferentialTest.assertSameOutput(kmod(level, "rmmod", argv), ours, "rmmod " + args + " at level "
                + level.setting());
    }

    /**
     * insmod's own checks, then the kernel's ENOSYS through both fallbacks; the files are made
     * here: too short for a magic, compressed text, compressed garbage, a directory.
     */
    private static Stream<Arguments> insmodCases() {
        return atBothLevels("", "-", "TMP/missing.ko", "TMP", "TMP/short.ko", "TMP/text.ko", "TMP/text.ko a=1 b=2",
                "-f TMP/text.ko", "-p -s TMP/text.ko", "-p TMP/text.ko", "-s TMP/text.ko", "-s", "-v TMP/text.ko",
                "--force TMP/text.ko", "--syslog TMP/missing.ko", "--verbose -v TMP/short.ko", "TMP/text.ko.xz",
                "-f TMP/text.ko.xz", "TMP/text.ko.zst", "TMP/garbage.ko.xz", "-f TMP/garbage.ko.xz",
                "TMP/truncated.ko.xz", "TMP/text.ko/x", "-h", "--help", "--nosuch");
    }

    @ParameterizedTest
    @MethodSource("insmodCases")
    void insmod(KmodLevel level, String args) throws IOException {
        Files.writeString(tmp.resolve("short.ko"), "\u007fEL");
        Files.writeString(tmp.resolve("text.ko"), "plain text, long enough for a magic\n");
        compress(List.of("xz", "-c"), "text.ko.xz");
        compress(List.of("zstd", "-q", "-c"), "text.ko.zst");
        TestModules.writeDamagedXz(tmp);
        List<String> argv = split(args);
        Processes.Result kmod = kmod(level, "insmod", argv);
        Processes.Result ours = Tool.ours(level, "insmod", argv,
                new InsmodCommand(LinuxModuleLoader.forThisMachine(level.zstdReading()).orElseThrow()));
        ModinfoDifferentialTest.assertSameOutput(kmod, ours, "insmod " + args + " at level " + level.setting());
    }

    /**
     * modprobe through the Linux backend on the damaged files, by name from an index kmod's
     * depmod made (it indexes them though it cannot read them) and, at level 34, by path.
     */
    private static Stream<Arguments> modprobeCases() {
        return Stream.concat(atBothLevels("garbage", "truncated", "-v garbage", "-q truncated",
                        "-a garbage truncated", "-f garbage"),
                Stream.of("TMP/damaged/lib/modules/1.0/kernel/garbage.ko.xz", "-v TMP/damaged/lib/modules/1.0/kernel/truncated.ko.xz")
                        .map(c -> Arguments.of(KmodLevel.KMOD34, c)));
    }

    @ParameterizedTest
    @MethodSource("modprobeCases")
    void modprobeOfDamagedModules(KmodLevel level, String args) throws IOException {
        Path root = TestModules.damagedTree(tmp.resolve("damaged"));
        List<String> argv = new ArrayList<>(List.of("-d", root.toString(), "-S", "1.0"));
        argv.addAll(split(args));
        Processes.Result kmod = kmod(level, "modprobe", argv);
        Host host = new Host(proc.resolve("cmdline"), new SysfsKernelState(sys),
                LinuxModuleLoader.forThisMachine(level.zstdReading()).orElseThrow(), Map.of());
        Processes.Result ours = Tool.ours(level, "modprobe", argv, new ModprobeCommand(host));
        ModinfoDifferentialTest.assertSameOutput(kmod, ours, "modprobe " + args + " at level " + level.setting());
    }

    /** -V: kmod's words, except that we read gzip-compressed modules (+ZLIB), as Debian's kmods do not. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void version(KmodLevel level) {
        List<String> tools = level == KmodLevel.KMOD30 ? List.of("insmod", "rmmod")
                : List.of("insmod", "rmmod", "lsmod", "depmod", "modinfo");
        for (String tool : tools) {
            Processes.Result kmod = kmod(level, tool, List.of("-V"));
            Processes.Result ours = Tool.ours(level, tool, List.of("-V"));
            assertEquals(kmod.stdoutText().replace("-ZLIB", "+ZLIB"), ours.stdoutText(), tool + " -V");
            assertEquals(kmod.status(), ours.status(), tool + " -V");
        }
    }

    private static void compress(List<String> compressor, String name) throws IOException {
        List<String> command = new ArrayList<>(compressor);
        command.add(tmp.resolve("text.ko").toString());
        Processes.Result r = Processes.run(command);
        Files.write(tmp.resolve(name), r.stdout());
    }
}

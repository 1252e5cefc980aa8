package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import modtools.cli.modprobe.Host;
import modtools.cli.modprobe.ModprobeCommand;
import modtools.deps.KmodLevel;
import modtools.load.info.MiniJson;
import modtools.load.linux.NoModuleSupport;
import modtools.load.linux.SysfsKernelState;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * modprobe against kmod's modprobe at each level (kmod 30, or kmod 34.2 at level 34) on a copy
 * of the cloud tree indexed by kmod's depmod (Debian 13's tree: {@link Debian13DifferentialTest}):
 * the same arguments to both, stdout, stderr and exit status compared byte for byte. Where
 * kmod would read this machine's /proc/cmdline and /sys/module, the tests that need other
 * contents run kmod in a private mount namespace with both bind-mounted, and give ours the
 * same files.
 */
class ModprobeDifferentialTest extends IndexedCloudTree {
    private List<String> tree(String... args) {
        List<String> all = new ArrayList<>(List.of("-d", base.toString(), "-S", version));
        all.addAll(List.of(args));
        return all;
    }

    private List<String> fixture(String... args) {
        List<String> all = new ArrayList<>(List.of("-C", config.toString()));
        all.addAll(tree(args));
        return all;
    }

    private static void assertSameAsKmod(KmodLevel level, List<String> args) {
        assertSame(Processes.run(Reference.command(level, "modprobe", args)), Tool.ours(level, "modprobe", args), args);
    }

    /** Each case at both levels. */
    private static Stream<Arguments> atBothLevels(String... cases) {
        return Stream.of(KmodLevel.values()).flatMap(level -> Stream.of(cases).map(c -> Arguments.of(level, c)));
    }

    private static void assertSame(Processes.Result kmod, Processes.Result ours, List<String> args) {
        String what = "modprobe " + (args.size() <= 12 ? String.join(" ", args)
                : String.join(" ", args.subList(0, 8)) + " … (" + args.size() + " args)");
        ModinfoDifferentialTest.assertSameOutput(kmod, ours, what);
    }

    /** Every module of the tree and every builtin module, by name, in one -a run of each tool. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void everyModuleName(KmodLevel level) throws IOException {
        List<String> names = moduleNames();
        assertTrue(names.size() > 1200, "expected the whole cloud tree, found " + names.size());
        List<String> args = tree("-a", "-D");
        args.addAll(names);
        assertSameAsKmod(level, args);
    }

    /** Without -a, as users type it: a sample of names, one process each. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void singleNames(KmodLevel level) throws IOException {
        List<String> names = moduleNames();
        for (int i = 0; i < names.size(); i += 97) {
            assertSameAsKmod(level, tree("-D", names.get(i)));
        }
    }

    /** 300 device modaliases made from modules.alias patterns, resolved through their wildcards. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void realModaliases(KmodLevel level) throws IOException {
        List<String> aliases = modaliases(300);
        assertEquals(300, aliases.size());
        List<String> args = tree("-a", "-D");
        args.addAll(aliases);
        assertSameAsKmod(level, args);
        List<String> resolve = tree("-a", "-R");
        resolve.addAll(aliases);
        assertSameAsKmod(level, resolve);
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void showConfig(KmodLevel level) {
        assertSameAsKmod(level, fixture("-c"));
        assertSameAsKmod(level, tree("-c"));
    }

    /** Several -C: sorted by file name across them, the first file of a name shadowing later ones. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void severalConfigPaths(KmodLevel level) throws IOException {
        Path second = tmp.resolve("second.d");
        Files.createDirectories(second);
        Files.writeString(second.resolve("10-main.conf"), "alias shadowed dummy\n");
        Files.writeString(second.resolve("05-first.conf"), "alias first dummy\nsoftdep dummy pre: tun\n");
        Path single = tmp.resolve("single-file.txt");
        Files.writeString(single, "options dummy from=single\n");
        assertSameAsKmod(level, fixture("-C", second.toString(), "-C", single.toString(), "-c"));
        assertSameAsKmod(level, fixture("-C", second.toString(), "-C", single.toString(), "-D", "first"));
        assertSameAsKmod(level, tree("-C", second.toString(), "-C", config.toString(), "-c"));
        // a backslash escapes any byte; one at the end of the file becomes 0xFF; a NUL ends the line
        Path bytes = tmp.resolve("bytes.conf");
        Files.write(bytes, "alias a\\b c\\\\d\noptions x y=1\0 hidden\nalias tail mod\\"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertSameAsKmod(level, tree("-C", bytes.toString(), "-c"));
    }

    private static Stream<Arguments> fixtureCaseList() {
        return atBothLevels(
            "-D bonding", "-D my-net", "-D e1000", "-D e1000 x=1 y=\"a b\"",
            "-D pci:v00008086d000010D3sv00001234sd00005678bc02sc00i00", "-D wildcard", "-D xay", "-D off-alias",
            "-D fake-mod", "-D ipvlan", "-D veth", "-D macvlan", "-D macvtap", "-D sym-test",
            "-D symbol:tls_get_record", "-i -D bonding", "-i -D e1000",
            "-R my-net", "-R pci:v00008086d000010D3sv00001234sd00005678bc02sc00i00", "-R symbol:tls_get_record",
            "-D hidden", "-D ignored", "-D shadowed",
            // blacklist: by alias always, by name only with -b, a dependency never
            "-D floppy", "-b -D floppy", "-D tls", "-b -D tls", "-D bonding",
            // unknown names and bad input
            "-D nonexistent", "-a -D nonexistent dummy", "-q -D nonexistent", "-D bad]name", "-D", "--bogus",
            "-x", "-w", "-r -w 12x dummy", "--show", "-D ''", "-q", "-s", "-s nonexistent", "-s -a nonexistent dummy",
            "-w 0x10 -r -v fake-mod", "-w 010 -r -D dummy", "-w -1 -r -D dummy", "-w '' -r dummy",
            // dry runs decided from this machine's (empty) kernel state
            "-n -v bonding", "-n -v ext4", "-n -v --first-time ext4", "-n -v e1000", "-n -v -i e1000",
            // install and remove commands, run for real
            "fake-mod", "-v fake-mod", "failing-mod", "env-mod", "-q env-mod", "-s env-mod", "-i env-mod", "-a failing-mod fake-mod", "-r fake-mod", "-r -v dummy",
            "-r -a fake-mod dummy", "-q -r fake-mod", "-r -i -v dummy",
            // removal decided from the kernel state
            "-r -D dummy", "-r -D bonding", "-r nonexistent", "-r -a nonexistent bonding", "-r ext4", "-r -D ext4",
            "-r --first-time dummy", "-r -a --first-time dummy ext4",
            // insertion that reaches the loader
            "dummy", "-v bonding", "-a dummy tun", "-a -v e1000 dummy"
        );
    }

    @ParameterizedTest
    @MethodSource("fixtureCaseList")
    void fixtureCases(KmodLevel level, String options) {
        assertSameAsKmod(level, fixture(split(options)));
    }

    private static Stream<Arguments> commandLineList() {
        return atBothLevels("-h", "--help", "--show-d bonding", "--show- bonding", "--rem dummy",
                "--remove-h dummy", "--config");
    }

    @ParameterizedTest
    @MethodSource("commandLineList")
    void commandLine(KmodLevel level, String options) {
        assertSameAsKmod(level, fixture(split(options)));
    }

    /**
     * Our build reads .ko.gz, so its feature line says +ZLIB where Debian's kmods say -ZLIB;
     * the rest is the level's kmod's.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void version(KmodLevel level) {
        Processes.Result ours = Tool.ours(level, "modprobe", List.of("-V"));
        assertEquals(level == KmodLevel.KMOD30 ? "kmod version 30\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n"
                : "kmod version 34.2\n+ZSTD +XZ +ZLIB +OPENSSL\n", ours.stdoutText());
        assertEquals(Processes.run(Reference.command(level, "modprobe", List.of("-V"))).stdoutText()
                .replace("-ZLIB", "+ZLIB"), ours.stdoutText());
    }

    /** modprobe's own options after the name are module options, quoted as kmod re-quotes them. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void moduleOptionsFromTheCommandLine(KmodLevel level) {
        assertSameAsKmod(level, fixture("-D", "dummy", "numdummies=4", "name=a b", "q='x y'", "flag"));
        assertSameAsKmod(level, fixture("-n", "-v", "bonding", "miimon=5"));
    }

    /** --show-modversions and --show-exports on a sample of module files. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void showSymbolVersions(KmodLevel level) throws IOException {
        List<String> modules = Corpus.modules(base, ".ko");
        for (int i = 0; i < modules.size(); i += 211) {
            assertSameAsKmod(level, List.of("--show-modversions", modules.get(i)));
            assertSameAsKmod(level, List.of("--show-exports", modules.get(i)));
        }
        assertSameAsKmod(level, List.of("--dump-modversions", "/nonexistent.ko"));
        // without __versions: ENOENT to kmod 30, ENODATA to kmod 34
        Path plain = TestModules.compile(Files.createDirectories(tmp.resolve("unversioned-" + level.setting())),
                "unversioned", "unversioned_func", null);
        assertSameAsKmod(level, List.of("--show-modversions", plain.toString()));
    }

    /** Options from MODPROBE_OPTIONS come first, and are passed on to the commands modprobe runs. */
    private static Stream<Arguments> environmentList() {
        return atBothLevels("-q", "-v -q", "-C /nonexistent", "-n '-v'", "\"-v\"  -n", "-b", "x\"y\"z");
    }

    @ParameterizedTest
    @MethodSource("environmentList")
    void environmentOptions(KmodLevel level, String env) {
        List<String> args = fixture("env-mod");
        List<String> command = new ArrayList<>(List.of("env", "MODPROBE_OPTIONS=" + env));
        command.addAll(Reference.command(level, "modprobe", args));
        Host host = new Host(Path.of("/proc/cmdline"), SysfsKernelState.linux(), new NoModuleSupport(),
                Map.of("MODPROBE_OPTIONS", env));
        assertSame(Processes.run(command), Tool.ours(level, "modprobe", args, new ModprobeCommand(host)), args);
    }

    /**
     * Without modules.builtin depmod writes an empty modules.builtin.bin, which kmod cannot
     * map: it then reads every index with its stdio reader, whose order among equal
     * priorities differs. A module directory given relative to the working directory too.
     */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void indexesReadWithoutMapping(KmodLevel level) throws IOException {
        onOwnCopy("stream", (root, dir) -> {
            Files.delete(dir.resolve("modules.builtin"));
            Reference.depmod(root, version);
            assertEquals(0, Files.size(dir.resolve("modules.builtin.bin")));
            List<String> args = new ArrayList<>(List.of("-d", root.toString(), "-S", version, "-a", "-D"));
            args.addAll(moduleNames());
            args.addAll(modaliases(300));
            assertSameAsKmod(level, args);
            assertSameAsKmod(level, List.of("-C", config.toString(), "-d", root.toString(), "-S", version, "-c"));
            Path relative = Path.of("").toAbsolutePath().relativize(root);
            assertSameAsKmod(level, List.of("-C", config.toString(), "-d", relative.toString(), "-S", version, "-D", "bonding"));
            assertSameAsKmod(level, List.of("-C", config.toString(), "-d", root + "/", "-S", version, "-D", "ipvlan"));
        });
    }

    /** A damaged index: kmod names the bad header, falls back to reading, and finds nothing in it. */
    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void damagedIndexes(KmodLevel level) throws IOException {
        onOwnCopy("damaged", (root, dir) -> {
            Reference.depmod(root, version);
            Files.write(dir.resolve("modules.alias.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
            byte[] symbols = Files.readAllBytes(dir.resolve("modules.symbols.bin"));
            symbols[5] = 7;
            Files.write(dir.resolve("modules.symbols.bin"), symbols);
            List<String> args = new ArrayList<>(List.of("-C", config.toString(), "-d", root.toString(), "-S", version,
                    "-a", "-D", "bonding", "my-net", "symbol:tls_get_record", "ext4", "net-pf-10"));
            args.addAll(modaliases(20));
            assertSameAsKmod(level, args);
            assertSameAsKmod(level, List.of("-C", config.toString(), "-d", root.toString(), "-S", version, "-c"));
            Files.write(dir.resolve("modules.dep.bin"), new byte[] {(byte) 0xb0, 0x07, (byte) 0xf4, 0x57, 0, 9, 0, 1,
                    0, 0, 0, 0});
            assertSameAsKmod(level, List.of("-C", config.toString(), "-d", root.toString(), "-S", version, "-D", "bonding"));
        });
    }

    /** A test on a tree of its own. */
    private interface CopyTest {
        void run(Path root, Path moduleDir) throws IOException;
    }

    /** {@code test} on a linked copy of the cloud tree under tmp/{@code name}, removed after it. */
    private static void onOwnCopy(String name, CopyTest test) throws IOException {
        Path root = tmp.resolve(name);
        Path dir = Corpus.linkedCopy(Corpus.cloud(), version, root);
        try {
            test.run(root, dir);
        } finally {
            Corpus.removeCopy(root);
        }
    }

    // ---------------------------------------------------------------- a kernel of our choosing

    /**
     * Kernel command line options and blacklists, including kmod's handling of quotes and of
     * a bad module name, and a kernel state where some modules are loaded and used.
     */
    private static Stream<Arguments> ownKernelList() {
        return atBothLevels("-c", "-D dummy", "-D floppy", "-D my-net", "-D bonding", "-n -v bonding",
                "-n -v tls", "-v --first-time dummy", "--first-time bonding", "-n -v ipvlan",
                "-r -v bonding", "-r -v dummy", "-r -n -v macvlan", "-r -D bonding", "-r --remove-holders -n -v tls",
                "-r -n -v tls", "-r -n -v tun", "-r -v -w 10 tls", "-r -a -v tls veth");
    }

    @ParameterizedTest
    @MethodSource("ownKernelList")
    void ownKernel(KmodLevel level, String options) throws IOException {
        Path cmdline = tmp.resolve("cmdline");
        Files.writeString(cmdline, "root=/dev/sda1 ro dummy.numdummies=5 bonding.max_bonds=1 \"veth.x=a b\""
                + " modprobe.blacklist=e1000,macvlan my-net.debug=2 a.b.c=d bad]mod.x=1 \"quoted\".y=2 noval.\n");
        Path sys = tmp.resolve("sys-module");
        if (!Files.exists(sys)) {
            loaded(sys, "dummy", "live\n", "0");
            loaded(sys, "bonding", "live\n", "0");
            loaded(sys, "tls", "live\n", "1", "bonding");
            loaded(sys, "veth", "going\n", "0");
            loaded(sys, "tun", "coming\n", "0");
            Files.createDirectories(sys.resolve("macvlan"));
        }
        List<String> args = fixture(split(options));
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount --bind \"$1\" /proc/cmdline && mount --bind \"$2\" /sys/module && shift 2 && exec \"$@\"",
                "sh", cmdline.toString(), sys.toString()));
        command.addAll(Reference.command(level, "modprobe", args));
        Processes.Result kmod = Processes.run(command);
        assumeTrue(!kmod.stderrText().startsWith("unshare:") && !kmod.stderrText().startsWith("mount:"),
                "needs a private mount namespace: " + kmod.stderrText());
        Host host = new Host(cmdline, new SysfsKernelState(sys), new NoModuleSupport(), Map.of());
        assertSame(kmod, Tool.ours(level, "modprobe", args, new ModprobeCommand(host)), args);
    }

    private static void loaded(Path sys, String module, String initstate, String refcnt, String... holders)
            throws IOException {
        Path dir = sys.resolve(module);
        Files.createDirectories(dir.resolve("holders"));
        Files.writeString(dir.resolve("initstate"), initstate);
        Files.writeString(dir.resolve("refcnt"), refcnt + "\n");
        for (String holder : holders) {
            Files.createDirectories(dir.resolve("holders").resolve(holder));
        }
    }

    // ---------------------------------------------------------------- inputs

    private static String[] split(String options) {
        return options.isEmpty() ? new String[0] : options.replace("''", "").split(" ", -1);
    }

    /** Module names of the cloud tree's files and of modules.builtin, in file order. */
    private static List<String> moduleNames() throws IOException {
        return moduleNames(moduleDir);
    }

    /** Every module of an indexed module directory and every built-in one, by name. */
    static List<String> moduleNames(Path dir) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (String line : Files.readAllLines(dir.resolve("modules.dep"), StandardCharsets.ISO_8859_1)) {
            names.add(baseName(line.substring(0, line.indexOf(':'))));
        }
        for (String line : Files.readAllLines(dir.resolve("modules.builtin"), StandardCharsets.ISO_8859_1)) {
            names.add(baseName(line));
        }
        return new ArrayList<>(names);
    }

    private static String baseName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.substring(0, name.indexOf('.'));
    }

    /**
     * Concrete strings for evenly spread modules.alias patterns: each '*' becomes a short
     * run of hex digits or nothing, each '?' a digit — the shape real modaliases have.
     */
    private static List<String> modaliases(int count) throws IOException {
        List<String> patterns;
        try (Stream<String> lines = Files.lines(moduleDir.resolve("modules.alias"))) {
            patterns = lines.filter(l -> l.startsWith("alias ")).map(l -> l.split(" ")[1]).toList();
        }
        List<String> out = new ArrayList<>();
        String[] fills = {"", "00001AF4", "0", "abc", "02"};
        for (int i = 0; i < count; i++) {
            String pattern = patterns.get((int) ((long) i * patterns.size() / count));
            StringBuilder s = new StringBuilder();
            int star = i;
            for (char c : pattern.toCharArray()) {
                switch (c) {
                    case '*' -> s.append(fills[star++ % fills.length]);
                    case '?' -> s.append('7');
                    default -> s.append(c);
                }
            }
            out.add(s.toString());
        }
        return out;
    }
}

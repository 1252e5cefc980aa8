package modtools.cli.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import modtools.cli.MadeUpKernel;
import modtools.cli.Reference;
import modtools.cli.TestModules;
import modtools.deps.KmodLevel;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What kmod's tools send to the system log, against ours run as a user runs them (the launcher,
 * and the native client with a resident server): with stderr closed (kmod 34.2's modprobe, and
 * Debian's kmod 30 before it, log there then; insmod does not) and with -s. Each command runs
 * in a private mount namespace whose /dev/log is a socket of the test's (an overlay on /dev
 * holds the mount point), and the records are compared without their time. rmmod sees the
 * modules of a {@link MadeUpKernel} in /sys/module, so that a module held by others or busy
 * reaches the messages kmod words before it would ask the kernel anything. Runs after
 * package: it needs the jar and the client.
 */
class SyslogDifferentialTest {
    @TempDir
    static Path tmp;
    private static LogSocket log;
    private static Path tree;
    private static Path sysModule;

    @BeforeAll
    static void socket() throws IOException {
        Reference.assumeNoModuleSupport("the tools' loads");
        log = LogSocket.bind(tmp.resolve("log"));
        tree = TestModules.damagedTree(tmp.resolve("tree"));
        Files.writeString(tmp.resolve("bad.conf"), "nonsense here\n");
        sysModule = MadeUpKernel.write(tmp.resolve("kernel")).sysModule();
    }

    @AfterAll
    static void close() {
        if (log != null) {
            log.close();
        }
    }

    /**
     * How a command's stderr is left: closed (ours in a JVM of its own); closed and served by a
     * server in the namespace; closed and handed back by the client, which no server answers,
     * to the launcher; open.
     */
    enum Stderr { CLOSED, SERVED, HANDED_BACK, OPEN }

    private static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (KmodLevel level : KmodLevel.values()) {
            for (String args : List.of("modprobe -S 9.9 nosuch", "modprobe -q -S 9.9 nosuch",
                    "modprobe -d TREE -S 1.0 garbage", "modprobe -v -d TREE -S 1.0 truncated",
                    "modprobe -r -S 9.9 nosuch", "modprobe", "modprobe --nosuch x", "insmod TMP/missing.ko",
                    "insmod TREE/lib/modules/1.0/kernel/garbage.ko.xz", "rmmod nosuch")) {
                all.add(Arguments.of(level, Stderr.CLOSED, args));
            }
            for (String args : List.of("modprobe -S 9.9 nosuch", "modprobe -d TREE -S 1.0 garbage")) {
                all.add(Arguments.of(level, Stderr.HANDED_BACK, args));
            }
            for (String args : List.of("modprobe -D -S 9.9 nosuch", "modprobe -n -d TREE -S 1.0 nothere",
                    "modprobe -C TMP/bad.conf -D -S 9.9 nosuch", "modprobe -R -d TREE -S 1.0 nothere")) {
                all.add(Arguments.of(level, Stderr.CLOSED, args));
                all.add(Arguments.of(level, Stderr.SERVED, args));
            }
            for (String args : List.of("modprobe -s -S 9.9 nosuch", "modprobe -s -d TREE -S 1.0 garbage",
                    "modprobe -s -C TMP/bad.conf -S 9.9 nosuch", "insmod -s TMP/missing.ko",
                    "insmod -s TREE/lib/modules/1.0/kernel/truncated.ko.xz", "rmmod -s nosuch")) {
                all.add(Arguments.of(level, Stderr.OPEN, args));
            }
            // Held modules: kmod 30 logs the line up to the colon and prints the holders on
            // stderr even with -s; Debian's kmod 34.2 logs the whole line as one record. A busy
            // module without holders is one record at both levels.
            for (String args : List.of("rmmod -s udp_tunnel", "rmmod -s tls", "rmmod -s busy", "rmmod -s tls busy a",
                    "rmmod tls")) {
                all.add(Arguments.of(level, Stderr.OPEN, args));
            }
            all.add(Arguments.of(level, Stderr.CLOSED, "rmmod tls"));
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sameRecordsAsKmod(KmodLevel level, Stderr stderr, String call) throws IOException {
        List<String> argv = List.of(call.replace("TREE", tree.toString()).replace("TMP", tmp.toString()).split(" "));
        String tool = argv.get(0);
        List<String> args = argv.subList(1, argv.size());
        Run kmod = run(Reference.command(level, tool, args), stderr == Stderr.OPEN ? Stderr.OPEN : Stderr.CLOSED,
                Map.of(), tool);
        List<String> ours = new ArrayList<>(List.of(Corpus.repoRoot().resolve("bin").resolve(tool).toString()));
        ours.addAll(args);
        Run mine = run(ours, stderr, Map.of(KmodLevel.VARIABLE, level.setting()), tool);
        String what = call + " at level " + level.setting() + ", stderr " + stderr;
        assertEquals(kmod.records(), mine.records(), what + ": records");
        assertEquals(kmod.result().stdoutText(), mine.result().stdoutText(), what + ": stdout");
        assertEquals(kmod.result().stderrText(), mine.result().stderrText(), what + ": stderr");
        assertEquals(kmod.result().status(), mine.result().status(), what + ": status");
    }

    /** A command's output and its records, each without syslog's time stamp. */
    private record Run(Processes.Result result, List<String> records) {}

    /**
     * {@code command} in a private mount namespace whose /dev/log is our socket, and whose
     * /sys/module is the made-up one for rmmod. SERVED starts a server of the launcher's in the
     * namespace (a server outside it would hand the call back: it sees other files) and makes
     * the call through the client, which may not run it elsewhere.
     */
    private static Run run(List<String> command, Stderr stderr, Map<String, String> extra, String tool)
            throws IOException {
        Path overlay = Files.createTempDirectory(tmp, "dev");
        Path server = Files.createDirectory(overlay.resolve("server"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<String> shell = new ArrayList<>(List.of("unshare", "-m", "sh", "-c", NAMESPACE, "sh",
                Files.createDirectory(overlay.resolve("up")).toString(),
                Files.createDirectory(overlay.resolve("work")).toString(), tmp.resolve("log").toString(),
                stderr.name(), Corpus.repoRoot().resolve("bin/modtools").toString(),
                tool.equals("rmmod") ? sysModule.toString() : ""));
        shell.addAll(command);
        Map<String, String> env = new HashMap<>(Processes.environment());
        env.putAll(extra);
        env.put("MODTOOLS_SERVER_DIR", server.toString());
        log.drain();
        Processes.Result r = Processes.run(null, shell, env, 300);
        assumeTrue(r.status() != SETUP_FAILED, "needs a private mount namespace with an overlay on /dev: "
                + r.stderrText());
        List<String> records = new ArrayList<>();
        for (String record : log.drain()) {
            records.add(record.replaceFirst("^(<\\d+>)[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ", "$1"));
        }
        return new Run(r, records);
    }

    /** What the namespace's shell exits with when it cannot make /dev/log ours (not 125, the client's). */
    private static final int SETUP_FAILED = 97;

    /**
     * sh -c: UPPER WORK SOCKET STDERR LAUNCHER SYSMODULE COMMAND..., with MODTOOLS_SERVER=off and
     * MODTOOLS_SERVER_DIR set; an empty SYSMODULE leaves the machine's.
     */
    private static final String NAMESPACE = """
            up=$1 work=$2 socket=$3 stderr=$4 launcher=$5 sysmodule=$6
            shift 6
            mount -t overlay overlay -o "lowerdir=/dev,upperdir=$up,workdir=$work" /dev && : >/dev/log &&
              mount --bind "$socket" /dev/log || exit 97
            [ -z "$sysmodule" ] || mount --bind "$sysmodule" /sys/module || exit 97
            case $stderr in
              OPEN) exec "$@" ;;
              CLOSED) exec "$@" 2>&- ;;
              HANDED_BACK) unset MODTOOLS_SERVER; exec "$@" 2>&- ;;
            esac
            MODTOOLS_SERVER=off "$launcher" server --dir "$MODTOOLS_SERVER_DIR" </dev/null >/dev/null 2>&1 &
            server=$!
            i=0
            while [ ! -S "$MODTOOLS_SERVER_DIR/socket" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
            MODTOOLS_SERVER=only "$@" 2>&-
            status=$?
            kill $server
            wait $server
            exit $status
            """;
}

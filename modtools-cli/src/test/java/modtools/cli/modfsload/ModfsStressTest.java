package modtools.cli.modfsload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import modtools.load.info.ModuleInfo;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight processes at a time running random modprobe, modprobe -r and rmmod of the SDK's
 * examples on one modfs for {@code modtools.stress.seconds} seconds (60 unless set; CI can
 * make it shorter). Afterwards: every command either succeeded or failed with kmod-style
 * messages only, no directory is half-loaded, and no module is live without its dependencies.
 * The seed ({@code modtools.stress.seed}, else the clock) is printed, so a failing run can be
 * repeated. Then the same storm, for half as long, while uid 65534 hammers the mount (reads,
 * flock, writes, mkdir, opens of every file): nothing it does may change what root's commands
 * say or do.
 */
class ModfsStressTest {
    private static final int WORKERS = 8;
    private static final List<String> MODULES = List.of("modfs_demo_lib", "modfs_demo_mid", "modfs_demo_top",
            "modfs_demo_params", "modfs_demo_fail");
    /** The only lines a command may print on stderr: kmod's messages. */
    private static final Pattern KMOD_LINE = Pattern.compile("(modprobe|rmmod|insmod): (ERROR|FATAL): [^\\n]+");

    private record Run(List<String> command, int status, String stderr) {}

    /** Root's commands in a fixed order, from an empty mount back to an empty one. */
    private static final List<List<String>> SEQUENCE = List.of(
            List.of("modprobe", "modfs_demo_top"), List.of("lsmod"), List.of("rmmod", "modfs_demo_lib"),
            List.of("modprobe", "modfs_demo_params"), List.of("modprobe", "modfs_demo_fail"),
            List.of("rmmod", "modfs_demo_top"), List.of("modprobe", "-r", "modfs_demo_mid"), List.of("lsmod"),
            List.of("modprobe", "-r", "modfs_demo_params"), List.of("lsmod"));

    /**
     * uid 65534's loop over the mount until {@code $2} appears: every file read, opened, locked
     * shared and exclusive without waiting (held for 100 ms when granted, enough to make root's
     * rmmod fail and its loaders wait) and written, and a directory made; then a tally of the
     * locks granted, refused with EACCES (flock's status 65 with "Permission denied") and
     * missed otherwise (a file removed between the listing and the lock).
     * Directories are not locked: the kernel keeps their flock to itself, and no loader takes one.
     */
    private static final String HAMMER = """
            M=$1 STOP=$2 granted=0 refused=0 missed=0 round=0
            while [ ! -e "$STOP" ]; do
              round=$((round + 1))
              for f in "$M"/* "$M"/*/*; do
                [ -f "$f" ] || continue
                cat "$f" >/dev/null 2>&1
                : <"$f" 2>/dev/null
                for mode in -s -x; do
                  said=$(flock -n $mode "$f" sleep 0.1 2>&1)
                  case "$?:$said" in
                    0:*) granted=$((granted + 1)) ;;
                    "65:"*"Permission denied"*) refused=$((refused + 1)) ;;
                    *) missed=$((missed + 1)) ;;
                  esac
                done
                echo x 2>/dev/null >"$f"
              done
              mkdir "$M/hammer$round" 2>/dev/null
            done
            echo "$granted $refused $missed"
            """;

    @Test
    void eightProcessesAtRandom(@TempDir Path tmp) throws Exception {
        long seconds = Long.getLong("modtools.stress.seconds", 60);
        try (ModfsFixture m = new ModfsFixture(tmp)) {
            storm(m, seconds);
        }
    }

    @Test
    void theSameWhileAnUnprivilegedUserHammersTheMount(@TempDir Path tmp) throws Exception {
        long seconds = Long.getLong("modtools.stress.seconds", 60) / 2;
        // The mount where uid 65534 can reach it.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ModfsFixture m = new ModfsFixture(tmp)) {
            rmmodIsNotHeldBackByAnUnprivilegedLock(m);
            List<String> alone = sequence(m);
            Path stop = tmp.resolve("stop");
            Process hammer = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "bash", "-c", HAMMER, "hammer", m.mount.toString(), stop.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<byte[]> tally = CompletableFuture.supplyAsync(() -> readAll(hammer.getInputStream()));
            CompletableFuture<byte[]> said = CompletableFuture.supplyAsync(() -> readAll(hammer.getErrorStream()));
            try {
                for (int round = 0; round < 3; round++) {
                    assertEquals(alone, sequence(m), "root's commands in round " + round + " of the hammer");
                }
                storm(m, seconds);
            } finally {
                Files.writeString(stop, "");
                if (!hammer.waitFor(60, TimeUnit.SECONDS)) {
                    hammer.destroyForcibly();
                }
            }
            String[] counts = new String(tally.get(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII).strip().split(" ");
            assertEquals(3, counts.length, "the hammer's tally: " + new String(said.join(), StandardCharsets.UTF_8));
            System.out.println("  the hammer's locks: " + counts[0] + " granted, " + counts[1] + " refused with EACCES, "
                    + counts[2] + " missed a file that went");
            assertEquals("0", counts[0], "locks granted to uid 65534");
            assertTrue(Integer.parseInt(counts[1]) > 0, "the hammer's locks were refused");
        }
    }

    /** The case as it was found: uid 65534's {@code flock -x} on a loaded module's info made root's rmmod fail. */
    private static void rmmodIsNotHeldBackByAnUnprivilegedLock(ModfsFixture m) throws Exception {
        ModfsFixture.ok(m.run("modprobe", "modfs_demo_lib"));
        Process holder = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "flock", "-x",
                m.mount.resolve("modfs_demo_lib/info").toString(), "sleep", "60").redirectErrorStream(true).start();
        CompletableFuture<byte[]> said = CompletableFuture.supplyAsync(() -> readAll(holder.getInputStream()));
        boolean ended = holder.waitFor(10, TimeUnit.SECONDS);
        Processes.Result rmmod = m.run("rmmod", "modfs_demo_lib");
        holder.destroyForcibly().waitFor();
        ModfsFixture.ok(rmmod);
        assertTrue(ended, "uid 65534's flock -x on info was not refused");
        assertEquals(65, holder.exitValue(), new String(said.join(), StandardCharsets.UTF_8));
    }

    /** Each command of {@link #SEQUENCE}, one after another: status, stdout and stderr. */
    private static List<String> sequence(ModfsFixture m) throws IOException {
        List<String> results = new ArrayList<>();
        for (List<String> command : SEQUENCE) {
            Processes.Result r = m.run(command.get(0), command.subList(1, command.size()).toArray(new String[0]));
            results.add(String.join(" ", command) + " -> " + r.status() + "\n" + r.stdoutText() + r.stderrText());
        }
        assertEquals(List.of(), m.modules(), "the sequence ends with an empty mount");
        return results;
    }

    /** The storm, then its checks, then everything removed. */
    private static void storm(ModfsFixture m, long seconds) throws Exception {
        long seed = Long.getLong("modtools.stress.seed", System.nanoTime());
        System.out.println("ModfsStressTest: " + WORKERS + " processes for " + seconds + " s, seed " + seed);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<CompletableFuture<List<Run>>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Random random = new Random(seed + w);
            workers.add(CompletableFuture.supplyAsync(() -> work(m, random, deadline)));
        }
        List<Run> runs = new ArrayList<>();
        for (CompletableFuture<List<Run>> w : workers) {
            runs.addAll(w.get(seconds + 300, TimeUnit.SECONDS));
        }

        Map<String, int[]> tally = new TreeMap<>();
        Map<String, Integer> messages = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        for (Run r : runs) {
            String key = String.join(" ", r.command());
            tally.computeIfAbsent(key, k -> new int[2])[r.status() == 0 ? 0 : 1]++;
            for (String line : r.stderr().split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                messages.merge(line.replaceAll("/\\S+/", ".../"), 1, Integer::sum);
                if (!KMOD_LINE.matcher(line).matches()) {
                    bad.add(key + ": " + line);
                }
            }
            if (r.status() != 0 && r.stderr().isEmpty() && !r.command().contains("-q")) {
                bad.add(key + ": failed (" + r.status() + ") without a message");
            }
        }
        tally.forEach((k, v) -> System.out.printf("  %-40s ok %4d  failed %4d%n", k, v[0], v[1]));
        messages.forEach((k, v) -> System.out.printf("  %5d  %s%n", v, k));
        System.out.println("  " + runs.size() + " commands");
        assertEquals(List.of(), bad, "every command succeeds or fails with kmod's messages");
        assertTrue(runs.size() >= WORKERS, "the workers ran");

        // Afterwards nothing is half-loaded and every dependency of a live module is live.
        for (String module : m.modules()) {
            Optional<ModuleInfo> info = m.info(module);
            assertTrue(info.isPresent(), module + " is complete: " + m.status(module));
            assertEquals("live", m.status(module).orElseThrow().get(0), module);
            for (String dependency : info.get().dependencies()) {
                assertTrue(m.info(dependency).isPresent() && m.status(dependency).orElseThrow().get(0).equals("live"),
                        module + " is live without its dependency " + dependency);
            }
        }
        Processes.Result lsmod = m.run("lsmod");
        assertEquals(0, lsmod.status(), lsmod.stderrText());
        System.out.print(lsmod.stdoutText());
        // One modprobe -r per module, the library's users first. modfs_demo_params goes after
        // modfs_demo_mid: removing it also removes its pre-softdep, the library, and while mid
        // still uses the library kmod's "is in use" is a FATAL that fails the command.
        for (String module : List.of("modfs_demo_top", "modfs_demo_mid", "modfs_demo_params", "modfs_demo_lib")) {
            Processes.Result remove = m.run("modprobe", "-r", module);
            assertEquals(0, remove.status(), "modprobe -r " + module + ": " + remove.stderrText());
        }
        assertEquals(List.of(), m.modules(), "everything can be removed afterwards");
    }

    /** One worker: random commands, one process at a time, until the deadline. */
    private static List<Run> work(ModfsFixture m, Random random, long deadline) {
        List<Run> runs = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String module = MODULES.get(random.nextInt(MODULES.size()));
            List<String> command = switch (random.nextInt(3)) {
                case 0 -> List.of("modprobe", module);
                case 1 -> List.of("modprobe", "-r", module);
                default -> List.of("rmmod", module);
            };
            try {
                Process p = m.start(Map.of(), command.get(0), command.subList(1, command.size()).toArray(new String[0]));
                p.getOutputStream().close();
                CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
                byte[] err = p.getErrorStream().readAllBytes();
                out.join();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    runs.add(new Run(command, -1, "did not finish within 300 s\n"));
                    continue;
                }
                runs.add(new Run(command, p.exitValue(), new String(err, StandardCharsets.ISO_8859_1)));
            } catch (IOException | InterruptedException e) {
                runs.add(new Run(command, -1, "could not run: " + e + "\n"));
            }
        }
        return Collections.unmodifiableList(runs);
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}

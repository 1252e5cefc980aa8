package modtools.cli.modfsload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * repeated.
 */
class ModfsStressTest {
    private static final int WORKERS = 8;
    private static final List<String> MODULES = List.of("modfs_demo_lib", "modfs_demo_mid", "modfs_demo_top",
            "modfs_demo_params", "modfs_demo_fail");
    /** The only lines a command may print on stderr: kmod's messages. */
    private static final Pattern KMOD_LINE = Pattern.compile("(modprobe|rmmod|insmod): (ERROR|FATAL): [^\\n]+");

    private record Run(List<String> command, int status, String stderr) {}

    @Test
    void eightProcessesAtRandom(@TempDir Path tmp) throws Exception {
        long seconds = Long.getLong("modtools.stress.seconds", 60);
        long seed = Long.getLong("modtools.stress.seed", System.nanoTime());
        System.out.println("ModfsStressTest: " + WORKERS + " processes for " + seconds + " s, seed " + seed);
        try (ModfsFixture m = new ModfsFixture(tmp)) {
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

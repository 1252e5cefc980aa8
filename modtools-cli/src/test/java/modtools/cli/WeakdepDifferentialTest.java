package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.testkit.Processes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Weak dependencies (kmod 33): modules gcc compiles with {@code weakdep=} keys in .modinfo, and
 * a modprobe.d with {@code weakdep} lines. At each level our depmod and modprobe against that
 * level's kmod: kmod 34.2 writes modules.weakdep, reads it back as configuration and prints it
 * with {@code modprobe -c}, and never loads a weak dependency; kmod 30 writes no such file and
 * calls the directive a bad line.
 */
class WeakdepDifferentialTest {
    private static final String VERSION = "1.0.0-weak";

    @TempDir
    Path base;

    /**
     * main needs lib by symbol and names helper and extra as weak dependencies (one key each)
     * and a softdep on soft; other has a weakdep key naming a module that does not exist.
     */
    private Path tree() throws IOException {
        Path dir = base.resolve("lib/modules").resolve(VERSION);
        Path kernel = Files.createDirectories(dir.resolve("kernel"));
        TestModules.compile(kernel, "lib", "lib_func", null);
        TestModules.compile(kernel, "helper", "helper_func", null);
        TestModules.compile(kernel, "extra", "extra_func", null);
        TestModules.compile(kernel, "soft", "soft_func", null);
        TestModules.compile(kernel, "main", "main_func", "lib_func",
                "weakdep=helper", "softdep=pre: soft", "weakdep=extra");
        TestModules.compile(kernel, "other", "other_func", null, "weakdep=missing-module");
        Files.write(dir.resolve("modules.order"), List.of("kernel/lib.ko", "kernel/helper.ko", "kernel/extra.ko",
                "kernel/soft.ko", "kernel/main.ko", "kernel/other.ko"));
        Files.write(dir.resolve("modules.builtin"), new byte[0]);
        Files.write(dir.resolve("modules.builtin.modinfo"), new byte[0]);
        return dir;
    }

    private Path config() throws IOException {
        Path dir = Files.createDirectories(base.resolve("modprobe.d"));
        Files.writeString(dir.resolve("weak.conf"), """
                weakdep lib helper  extra
                weakdep oth*\tsoft
                weakdep  main
                weakdep
                softdep lib post: soft
                """);
        return dir;
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void depmodWritesTheWeakDependencies(KmodLevel level) throws IOException {
        Path dir = tree();
        List<String> args = List.of("-b", base.toString(), VERSION);
        DepmodDifferentialTest.Outcome kmod = DepmodDifferentialTest.run(level, dir, args, true);
        DepmodDifferentialTest.assertSameOutcome(kmod, DepmodDifferentialTest.run(level, dir, args, false),
                "depmod at level " + level.setting());
        byte[] weakdep = kmod.files().get("modules.weakdep");
        if (level.weakdeps()) {
            String text = new String(weakdep, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("# Weak dependencies extracted from modules themselves.\n"), text);
            assertTrue(text.contains("weakdep main helper\n") && text.contains("weakdep main extra\n")
                    && text.contains("weakdep other missing-module\n"), text);
        } else {
            assertEquals(null, weakdep, "kmod 30 writes no modules.weakdep");
        }
        List<String> dryRun = List.of("-n", "-b", base.toString(), VERSION);
        ModinfoDifferentialTest.assertSameOutput(Processes.run(Reference.command(level, "depmod", dryRun)),
                Tool.ours(level, "depmod", dryRun), "depmod -n at level " + level.setting());
    }

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void modprobeShowsButNeverLoadsWeakDependencies(KmodLevel level) throws IOException {
        tree();
        Processes.Result depmod = Processes.run(Reference.command(level, "depmod", List.of("-b", base.toString(), VERSION)));
        assertEquals(0, depmod.status(), depmod.stderrText());
        Path config = config();
        for (List<String> args : List.of(
                List.of("-c"), List.of("-D", "main"), List.of("-D", "lib"), List.of("-D", "other"),
                List.of("-n", "-v", "main"), List.of("-n", "-v", "-a", "lib", "other"), List.of("main"),
                List.of("-r", "-D", "main"), List.of("-R", "main"))) {
            List<String> all = new ArrayList<>(List.of("-C", config.toString(), "-d", base.toString(), "-S", VERSION));
            all.addAll(args);
            Processes.Result kmod = Processes.run(Reference.command(level, "modprobe", all));
            ModinfoDifferentialTest.assertSameOutput(kmod, Tool.ours(level, "modprobe", all),
                    "modprobe " + String.join(" ", args) + " at level " + level.setting());
            if (args.contains("-D")) {
                assertFalse(kmod.stdoutText().contains("helper") || kmod.stdoutText().contains("extra.ko"),
                        "a weak dependency is loaded: " + kmod.stdoutText());
            }
        }
    }
}

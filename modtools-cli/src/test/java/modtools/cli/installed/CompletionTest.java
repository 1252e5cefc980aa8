package modtools.cli.installed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * completion/modtools.bash, driven as bash drives it: COMP_WORDS and COMP_CWORD set, the
 * function called, COMPREPLY (made by compgen) read back. Options come from the launcher's
 * --help, so this runs after package.
 */
class CompletionTest {
    private static final String DRIVER = """
            source "$0"
            COMP_WORDS=("$@")
            COMP_CWORD=$(($# - 1))
            COMP_LINE="$*"
            COMP_POINT=${#COMP_LINE}
            COMPREPLY=()
            _modtools
            printf '%s\\n' "${COMPREPLY[@]}"
            """;
    private static final String MODTOOLS = Scripts.LAUNCHER.toString();

    @TempDir
    static Path tmp;
    private static Path root;
    private static Path modfs;

    /** A module directory with three modules, and a directory that looks like a modfs with two loaded. */
    @BeforeAll
    static void trees() throws IOException {
        root = tmp.resolve("root");
        Path modules = Files.createDirectories(root.resolve("lib/modules/9.9.9-test"));
        Files.writeString(modules.resolve("modules.dep"), """
                kernel/drivers/net/vxlan/vxlan.ko: kernel/net/ipv4/udp_tunnel.ko
                kernel/net/ipv4/udp_tunnel.ko:
                kernel/fs/xfs/xfs-extra.ko.xz:
                """);
        modfs = tmp.resolve("modfs");
        Files.createDirectories(modfs);
        Files.writeString(modfs.resolve("version"), "9.9.9-test\n");
        for (String name : List.of("alpha_mod", "beta_mod")) {
            Files.createDirectories(modfs.resolve(name));
            Files.writeString(modfs.resolve(name).resolve("info"), "");
        }
        Files.createDirectories(tmp.resolve("files"));
        Files.writeString(tmp.resolve("files/hello.ko"), "");
    }

    @Test
    void options() {
        assertEquals(List.of("--show-depends"), complete(MODTOOLS, "modprobe", "--show-d"));
        assertEquals(List.of("--json"), complete(MODTOOLS, "lsmod", "--j"));
        assertEquals(List.of("--index-order"), complete(MODTOOLS, "depmod", "--ind"));
        List<String> rmmod = complete(Scripts.REPO.resolve("bin/rmmod").toString(), "-");
        assertTrue(rmmod.containsAll(List.of("-f", "--force", "-v", "--verbose", "--modfs")), rmmod.toString());
        assertEquals(List.of("kmod30", "kmod34"), complete(MODTOOLS, "depmod", "--index-order", "k"));
    }

    @Test
    void commandsAndModfsSubcommands() {
        assertEquals(List.of("modfs", "modinfo", "modprobe"), complete(MODTOOLS, "mod"));
        assertEquals(List.of("mount"), complete(MODTOOLS, "modfs", "m"));
        assertEquals(List.of("umount"), complete(MODTOOLS, "modfs", "u"));
        assertEquals(List.of("--foreground"), complete(MODTOOLS, "modfs", "mount", "--f"));
    }

    @Test
    void moduleNames() {
        assertEquals(List.of("udp_tunnel"), complete(MODTOOLS, "modprobe", "-d", root.toString(), "-S", "9.9.9-test", "u"));
        assertEquals(List.of("xfs_extra"), complete(MODTOOLS, "modprobe", "-d", root.toString(), "-S", "9.9.9-test", "x"));
        assertEquals(List.of("vxlan"), complete(MODTOOLS, "modinfo", "-b", root.toString(), "-k", "9.9.9-test", "v"));
        assertEquals(List.of("9.9.9-test"), complete(MODTOOLS, "depmod", "-b", root.toString(), "9"));
        // the modfs's release picks the module directory, as modprobe over modfs does
        assertEquals(List.of("vxlan"), complete(MODTOOLS, "modprobe", "--modfs", modfs.toString(), "-d", root.toString(),
                "v"));
    }

    /** rmmod and modprobe -r offer what is loaded: here the modfs's module directories. */
    @Test
    void loadedModuleNames() {
        assertEquals(List.of("alpha_mod", "beta_mod"), complete(MODTOOLS, "rmmod", "--modfs", modfs.toString(), ""));
        assertEquals(List.of("beta_mod"), complete(MODTOOLS, "modprobe", "-r", "--modfs", modfs.toString(), "b"));
    }

    @Test
    void filesForInsmod() {
        assertEquals(List.of(tmp.resolve("files/hello.ko").toString()),
                complete(MODTOOLS, "insmod", tmp.resolve("files/h").toString()));
    }

    private static List<String> complete(String... words) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", DRIVER,
                Scripts.REPO.resolve("completion/modtools.bash").toString()));
        command.addAll(List.of(words));
        Processes.Result r = Scripts.run(command);
        assertEquals(0, r.status(), r.stderrText());
        assertEquals("", r.stderrText());
        return r.stdoutText().lines().filter(l -> !l.isEmpty()).sorted().toList();
    }
}

package modtools.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A /proc and a /sys/module of the tests' making, for a kernel that has no modules of its own
 * here: bind-mounted in a private mount namespace, they show kmod's tools (and ours run as
 * processes) modules that are held, busy or broken in each way the tools tell apart; ours in
 * this JVM read them through injected paths.
 *
 * @param proc      holds {@code cmdline} and {@code modules}
 * @param sysModule the module directories, as /sys/module has them
 */
public record MadeUpKernel(Path proc, Path sysModule) {
    /** The two directories written under {@code dir}. */
    public static MadeUpKernel write(Path dir) throws IOException {
        MadeUpKernel kernel = new MadeUpKernel(Files.createDirectories(dir.resolve("proc")),
                Files.createDirectories(dir.resolve("sys-module")));
        kernel.writeProc();
        kernel.writeSysModule();
        return kernel;
    }

    private void writeProc() throws IOException {
        Files.writeString(proc.resolve("cmdline"), "root=/dev/vda1 ro quiet\n");
        Files.writeString(proc.resolve("modules"), String.join("\n",
                "vxlan 110592 0 - Live 0x0000000000000000",
                "ip6_udp_tunnel 16384 1 vxlan, Live 0x0000000000000000",
                "udp_tunnel 32768 1 vxlan, Live 0x0000000000000000",
                "tls 131072 2 a,b, Live 0x0000000000000000",
                "a 4096 0 - Live 0x0000000000000000",
                "b 4096 0 - Live 0x0000000000000000",
                "busy 4096 3 - Live 0x0000000000000000 (OE)",
                "nocoresize 12345 0 - Live 0x0000000000000000",
                "badcoresize 100 0 - Live 0x0000000000000000",
                "norefcnt 100 0 - Live 0x0000000000000000",
                "badrefcnt 100 0 - Live 0x0000000000000000",
                "noholders 100 0 - Live 0x0000000000000000",
                "nodir 100 0 - Live 0x0000000000000000",
                "coming 100 0 - Loading 0x0000000000000000",
                "going 100 0 - Unloading 0x0000000000000000",
                "long_module_name_beyond_nineteen 99999999 0 - Live 0x0000000000000000") + "\n");
    }

    private void writeSysModule() throws IOException {
        module("vxlan", "110592\n", "0\n", "live\n");
        module("ip6_udp_tunnel", "16384\n", "1\n", "live\n", "vxlan");
        module("udp_tunnel", "32768\n", "1\n", "live\n", "vxlan");
        module("tls", "131072\n", "2\n", "live\n", "a", "b");
        module("a", "4096\n", "0\n", "live\n");
        module("b", "4096\n", "0\n", "live\n");
        module("busy", "4096\n", "3\n", "live\n");
        module("nocoresize", null, "0\n", "live\n");
        module("badcoresize", "many\n", "0\n", "live\n");
        module("norefcnt", "100\n", null, "live\n");
        module("badrefcnt", "100\n", "x\n", "live\n");
        module("coming", "100\n", "0\n", null);
        module("going", "100\n", "0\n", "going\n");
        module("long_module_name_beyond_nineteen", "99999999\n", "0\n", "live\n");
        Files.createDirectories(sysModule.resolve("noholders"));
        Files.writeString(sysModule.resolve("noholders/initstate"), "live\n");
        Files.writeString(sysModule.resolve("noholders/refcnt"), "0\n");
        Files.writeString(sysModule.resolve("noholders/coresize"), "100\n");
    }

    private void module(String name, String coresize, String refcnt, String initstate, String... holders)
            throws IOException {
        Path dir = sysModule.resolve(name);
        Files.createDirectories(dir.resolve("holders"));
        for (String holder : holders) {
            Files.createDirectories(dir.resolve("holders").resolve(holder));
        }
        write(dir.resolve("coresize"), coresize);
        write(dir.resolve("refcnt"), refcnt);
        write(dir.resolve("initstate"), initstate);
    }

    private static void write(Path file, String text) throws IOException {
        if (text != null) {
            Files.writeString(file, text);
        }
    }
}

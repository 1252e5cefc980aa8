package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import modtools.deps.KmodLevel;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;

/**
 * What the resident server keeps between calls (indexes, modprobe.d) is never served stale:
 * files changed between two served calls, in place with their size kept and their mtime put
 * back, replaced by a rename, added to a configuration directory and removed from it; after
 * each change the served call prints what kmod prints. Each state is first served twice, more
 * than a second after the change before it, so that the server has kept it.
 */
class ServedCacheTest extends IndexedCloudTree {
    @Test
    void modprobeConfigAndIndexesChangedBetweenServedCalls() throws Exception {
        List<String> args = List.of("-C", config.toString(), "-d", base.toString(), "-S", version, "-c");
        String before = servedTwiceAsKmod("modprobe", args);

        Path main = config.resolve("10-main.conf");
        rewriteInPlace(main, "alias my-net e1000", "alias my-net e1001");
        String alias = Files.readString(moduleDir.resolve("modules.alias"), StandardCharsets.ISO_8859_1).lines()
                .filter(l -> l.startsWith("alias ")).findFirst().orElseThrow().split(" ")[2];
        String renamed = alias.substring(0, alias.length() - 1) + (alias.endsWith("q") ? "r" : "q");
        rewriteInPlace(moduleDir.resolve("modules.alias.bin"), alias + "\0", renamed + "\0");
        String changed = servedTwiceAsKmod("modprobe", args);
        assertNotEquals(before, changed);
        assertTrue(changed.contains("alias my_net e1001") && changed.contains(" " + renamed + "\n"), changed);

        Path added = config.resolve("30-added.conf");
        Files.writeString(added, "alias brand-new tun\n");
        assertTrue(servedTwiceAsKmod("modprobe", args).contains("alias brand_new tun"));
        Files.delete(added);
        assertFalse(servedTwiceAsKmod("modprobe", args).contains("alias brand_new tun"));
    }

    @Test
    void modinfoByNameAfterDepmodReplacedTheIndexes() throws Exception {
        String line = Files.readString(moduleDir.resolve("modules.dep")).lines().findFirst().orElseThrow();
        String path = line.substring(0, line.indexOf(':'));
        String file = path.substring(path.lastIndexOf('/') + 1);
        String name = file.substring(0, file.indexOf('.')).replace('-', '_');
        List<String> args = List.of("-b", base.toString(), "-k", version, "-F", "filename", name);
        assertTrue(servedTwiceAsKmod("modinfo", args).contains(path));

        Path update = moduleDir.resolve("updates").resolve(file);
        Files.createDirectories(update.getParent());
        Files.copy(moduleDir.resolve(path), update, StandardCopyOption.REPLACE_EXISTING);
        Reference.depmod(base, version);
        assertTrue(servedTwiceAsKmod("modinfo", args).contains("updates/" + file));
    }

    /**
     * The same bytes at the same place, so the size stays; the mtime put back, so only the
     * ctime (and, for a rename, the inode) can tell.
     */
    private static void rewriteInPlace(Path file, String from, String to) throws IOException {
        assertEquals(from.length(), to.length());
        FileTime mtime = Files.getLastModifiedTime(file);
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains(from), file + " holds " + from);
        Files.write(file, text.replaceFirst(java.util.regex.Pattern.quote(from), to).getBytes(StandardCharsets.ISO_8859_1),
                StandardOpenOption.TRUNCATE_EXISTING);
        Files.setLastModifiedTime(file, mtime);
    }

    /** Past the second in which changes are too recent to keep, then served twice, each as kmod. */
    private static String servedTwiceAsKmod(String tool, List<String> args) throws InterruptedException {
        Thread.sleep(1100);
        Processes.Result kmod = Processes.run(Reference.command(KmodLevel.KMOD30, tool, args));
        Map<String, String> level = Map.of(KmodLevel.VARIABLE, KmodLevel.KMOD30.setting());
        for (int i = 0; i < 2; i++) {
            ModinfoDifferentialTest.assertSameOutput(kmod, Tool.served(tool, args, level), tool + " served, call " + (i + 1));
        }
        return kmod.stdoutText();
    }
}

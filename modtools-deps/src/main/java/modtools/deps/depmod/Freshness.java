package modtools.deps.depmod;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import modtools.elf.module.ModuleFile;

/**
 * depmod -A: the indexes are up to date when no module file under the module directory is
 * newer (to the second, as kmod compares st_mtime) than modules.dep.
 */
public final class Freshness {
    private Freshness() {}

    /** True when up to date; false when outdated or when modules.dep cannot be read (kmod then rebuilds). */
    public static boolean upToDate(Path moduleDirectory, DepmodLog log) {
        long depTime;
        try {
            depTime = seconds(Files.readAttributes(moduleDirectory.resolve("modules.dep"), BasicFileAttributes.class));
        } catch (IOException e) {
            log.error("could not fstatat(" + moduleDirectory + ", modules.dep): No such file or directory");
            return false;
        }
        return noNewerModule(moduleDirectory, depTime, log);
    }

    private static boolean noNewerModule(Path dir, long depTime, DepmodLog log) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.equals("build") || name.equals("source")) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (a.isDirectory()) {
                    if (!noNewerModule(p, depTime, log)) {
                        return false;
                    }
                } else if (a.isRegularFile() && ModuleFile.hasModuleExtension(name) && seconds(a) > depTime) {
                    return false;
                }
            }
        } catch (IOException e) {
            log.error("could not open directory " + dir + ": " + e.getMessage());
        }
        return true;
    }

    private static long seconds(BasicFileAttributes a) {
        return a.lastModifiedTime().toMillis() / 1000;
    }
}

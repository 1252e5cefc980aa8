package modtools.deps.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;

/**
 * Reads the whole modprobe configuration as libkmod does when it creates its context: the
 * configuration files, then the kernel command line. Unreadable files are skipped silently,
 * as kmod skips them; what kmod complains about comes back as messages beside the result.
 */
public final class ConfigLoader {
    /** The configuration and what kmod would have logged while reading it, in order. */
    public record Loaded(ModprobeConfig config, List<LibkmodMessage> messages) {}

    private ConfigLoader() {}

    /**
     * @param level           the kmod release whose reading to copy
     * @param moduleDirectory the absolute module directory (its modules.softdep is configuration too)
     * @param paths           files or directories to read, or the level's {@link KmodLevel#modprobeConfigPaths}
     * @param kernelCmdline   the kernel command line file, normally /proc/cmdline
     * @param cwd             what relative paths are relative to
     */
    public static Loaded load(KmodLevel level, String moduleDirectory, List<String> paths, Path kernelCmdline,
                              Path cwd) {
        List<LibkmodMessage> messages = new ArrayList<>();
        ModprobeConfig.Builder builder = new ModprobeConfig.Builder();
        ConfigParser parser = new ConfigParser(builder, level, messages::add);
        for (ConfigFiles.ConfigFile file : new ConfigFiles(level, cwd, messages::add).list(moduleDirectory, paths)) {
            read(cwd.resolve(file.path())).ifPresent(bytes -> parser.parse(file.path(), bytes));
        }
        read(kernelCmdline).ifPresent(bytes -> new KernelCommandLine(builder, messages::add).parse(bytes));
        return new Loaded(builder.build(), List.copyOf(messages));
    }

    private static Optional<byte[]> read(Path path) {
        try {
            return Optional.of(Files.readAllBytes(path));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

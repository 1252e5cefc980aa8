package modtools.deps.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;
import modtools.deps.cache.ReadCache;

/**
 * Reads the whole modprobe configuration as libkmod does when it creates its context: the
 * configuration files, then the kernel command line. Unreadable files are skipped silently,
 * as kmod skips them; what kmod complains about comes back as messages beside the result.
 */
public final class ConfigLoader {
    /** The configuration and what kmod would have logged while reading it, in order. */
    public record Loaded(ModprobeConfig config, List<LibkmodMessage> messages) {}

    private ConfigLoader() {}

    private record Key(KmodLevel level, String moduleDirectory, List<String> paths, Path cwd,
                       Optional<String> kernelCmdline) {}

    /**
     * @param level           the kmod release whose reading to copy
     * @param moduleDirectory the absolute module directory (its modules.softdep is configuration too)
     * @param paths           files or directories to read, or the level's {@link KmodLevel#modprobeConfigPaths}
     * @param kernelCmdline   the kernel command line file, normally /proc/cmdline, read on every call
     *                        (its times say nothing of its contents)
     * @param cwd             what relative paths are relative to
     * @param cache           where the configuration is kept while none of its files, nor the
     *                        directories listed, change
     */
    public static Loaded load(KmodLevel level, String moduleDirectory, List<String> paths, Path kernelCmdline,
                              Path cwd, ReadCache cache) {
        Optional<byte[]> cmdline = read(kernelCmdline);
        Key key = new Key(level, moduleDirectory, List.copyOf(paths), cwd,
                cmdline.map(bytes -> new String(bytes, StandardCharsets.ISO_8859_1)));
        return cache.get(key, () -> {
            List<LibkmodMessage> messages = new ArrayList<>();
            ModprobeConfig.Builder builder = new ModprobeConfig.Builder();
            ConfigParser parser = new ConfigParser(builder, level, messages::add);
            ConfigFiles files = new ConfigFiles(level, cwd, messages::add);
            long bytes = 0;
            for (ConfigFiles.ConfigFile file : files.list(moduleDirectory, paths)) {
                Optional<byte[]> text = read(cwd.resolve(file.path()));
                if (text.isPresent()) {
                    parser.parse(file.path(), text.get());
                    bytes += text.get().length;
                }
            }
            cmdline.ifPresent(line -> new KernelCommandLine(builder, messages::add).parse(line));
            // parsed, the text takes about three times its size in strings, lists and records
            return new ReadCache.Kept<>(new Loaded(builder.build(), List.copyOf(messages)), files.consulted(),
                    3 * bytes);
        });
    }

    private static Optional<byte[]> read(Path path) {
        try {
            return Optional.of(Files.readAllBytes(path));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

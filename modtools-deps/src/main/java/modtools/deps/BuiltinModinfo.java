package modtools.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.elf.module.ModInfoEntry;

/**
 * {@code modules.builtin.modinfo}: the .modinfo strings of modules linked into the kernel,
 * each prefixed with "module.". Like kmod, only the first run of consecutive strings of a
 * module counts.
 */
public final class BuiltinModinfo {
    private BuiltinModinfo() {}

    /** The module's entries in file order; empty when the file does not list the module. */
    public static Optional<List<ModInfoEntry>> read(Path file, String module) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        String prefix = module + ".";
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf('\0', at);
            if (end < 0) {
                end = text.length();
            }
            if (text.startsWith(prefix, at)) {
                return Optional.of(run(text, at, prefix));
            }
            at = end + 1;
        }
        return Optional.empty();
    }

    private static List<ModInfoEntry> run(String text, int at, String prefix) {
        List<ModInfoEntry> out = new ArrayList<>();
        while (at < text.length() && text.startsWith(prefix, at)) {
            int end = text.indexOf('\0', at);
            if (end < 0) {
                end = text.length();
            }
            out.add(ModInfoEntry.parse(text.substring(at + prefix.length(), end)));
            at = end + 1;
        }
        return out;
    }
}

package modtools.load.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's list of loaded modules, /proc/modules, as libkmod reads it: a module per line,
 * most recently loaded first; the first word is the name, the second the size, which only
 * kernels without /sys/module/NAME/coresize (before 3.3) make anyone read.
 */
public record ProcModules(List<Line> lines) {

    /** One module's line, split at spaces and tabs. */
    public record Line(String name, Optional<String> size) {}

    public static ProcModules read(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String text : Files.readString(file, StandardCharsets.ISO_8859_1).split("\n")) {
            String[] words = text.trim().split("[ \t]+");
            if (!words[0].isEmpty()) {
                lines.add(new Line(words[0], words.length > 1 ? Optional.of(words[1]) : Optional.empty()));
            }
        }
        return new ProcModules(List.copyOf(lines));
    }

    /** The size on the module's line, if it has a line with a size that is a whole number. */
    public Optional<Long> size(String name) {
        for (Line line : lines) {
            if (line.name().equals(name)) {
                try {
                    return line.size().map(Long::parseLong);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}

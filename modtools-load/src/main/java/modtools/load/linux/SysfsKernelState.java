package modtools.load.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import modtools.deps.resolve.KernelState;

/**
 * The kernel's module state as Linux shows it under /sys/module (tests point it at a
 * directory of their own). kmod reads at most 31 bytes of initstate, refcnt and coresize.
 */
public record SysfsKernelState(Path root) implements KernelState {
    private static final int READ_LIMIT = 31;

    public static SysfsKernelState linux() {
        return new SysfsKernelState(Path.of("/sys/module"));
    }

    @Override
    public Optional<String> initstate(String module) {
        return read(root.resolve(module).resolve("initstate"));
    }

    @Override
    public boolean hasDirectory(String module) {
        return Files.isDirectory(root.resolve(module));
    }

    @Override
    public Optional<String> refcnt(String module) {
        return read(root.resolve(module).resolve("refcnt"));
    }

    @Override
    public Optional<String> coresize(String module) {
        return read(root.resolve(module).resolve("coresize"));
    }

    @Override
    public Optional<List<String>> holders(String module) {
        try (Stream<Path> entries = Files.list(root.resolve(module).resolve("holders"))) {
            List<String> names = new ArrayList<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            return Optional.of(names);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int length = Math.min(bytes.length, READ_LIMIT);
            return Optional.of(new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

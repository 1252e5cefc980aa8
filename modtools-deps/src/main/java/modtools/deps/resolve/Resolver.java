package modtools.deps.resolve;

import java.util.function.Consumer;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;
import modtools.deps.config.ModprobeConfig;

/**
 * What modprobe resolves against, as the level's kmod: the configuration, the module
 * directory's indexes, the kernel's state, and the backends that act. Each top-level operation (one name to load or
 * remove) works in its own {@link Session}, as modprobe's modules live only as long as one
 * such operation.
 */
public record Resolver(KmodLevel level, ModprobeConfig config, ModuleIndexes indexes, KernelState kernel, ModuleLoader loader,
                       CommandRunner commands, Consumer<LibkmodMessage> log) {

    public Session session() {
        return new Session(this);
    }
}

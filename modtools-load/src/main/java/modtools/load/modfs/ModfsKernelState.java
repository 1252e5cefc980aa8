package modtools.load.modfs;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import modtools.contract.ModuleState;
import modtools.contract.ModuleStatus;
import modtools.deps.resolve.KernelState;

/**
 * The questions modprobe, rmmod and lsmod ask about a module, answered from a modfs mount in
 * the words of /sys/module: a module directory is the module; it is {@code live} once its
 * module file is live and its info complete, {@code going} while its exit runs, else
 * {@code coming} (being loaded, or left by a killed loader). Its holders are the modules whose
 * info lists it as a dependency, its use count their number (none once it is gone), its size
 * that of its module file. Every module can be unloaded.
 */
final class ModfsKernelState implements KernelState {
    private final ModfsMount mount;
    private final ModfsLoader loader;

    ModfsKernelState(ModfsMount mount, ModfsLoader loader) {
        this.mount = mount;
        this.loader = loader;
    }

    @Override
    public Optional<String> initstate(String module) {
        if (!mount.exists(module)) {
            return Optional.empty();
        }
        if (loader.loaded(module)) {
            return Optional.of("live\n");
        }
        if (!mount.exists(module)) {
            return Optional.empty();
        }
        boolean going = mount.status(module).filter(s -> s.is(ModuleState.GOING)).isPresent();
        return Optional.of(going ? "going\n" : "coming\n");
    }

    @Override
    public boolean hasDirectory(String module) {
        return mount.exists(module);
    }

    /** None for a module that is not there, as a module without /sys/module/NAME has no refcnt. */
    @Override
    public Optional<String> refcnt(String module) {
        if (!mount.exists(module)) {
            return Optional.empty();
        }
        return holders(module).map(h -> h.size() + "\n");
    }

    @Override
    public Optional<String> coresize(String module) {
        if (!mount.exists(module)) {
            return Optional.empty();
        }
        return Optional.of(mount.status(module).map(ModuleStatus::size).orElse(0L) + "\n");
    }

    /**
     * Read from the other modules' infos, so a module that went meanwhile has none rather than
     * a directory that cannot be opened.
     */
    @Override
    public Optional<List<String>> holders(String module) {
        try {
            return Optional.of(mount.holders(module));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean unloadingAlwaysSupported() {
        return true;
    }
}

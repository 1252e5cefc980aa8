package modtools.load.modfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.contract.ModuleStatus;
import modtools.elf.module.ZstdReading;
import modtools.contract.Symbolizer;
import modtools.deps.resolve.KernelState;
import modtools.deps.resolve.ModuleLoader;
import modtools.load.info.ModuleInfo;
import modtools.load.symbols.UnloadedSymbols;

/**
 * The modfs backend of insmod, rmmod, modprobe and lsmod: the loader and remover over one
 * mount, and the mount's modules as the kernel's state.
 */
public final class ModfsBackend implements AutoCloseable {
    private final ModfsMount mount;
    private final String release;
    private final ModfsLoader loader;
    private final ModfsKernelState state;
    private final Optional<UnloadedSymbols> unloaded;

    private ModfsBackend(ModfsMount mount, String release, PrintStream log, boolean retain,
                         Optional<UnloadedSymbols> unloaded, ZstdReading zstdReading) {
        this.mount = mount;
        this.release = release;
        this.unloaded = unloaded;
        this.loader = new ModfsLoader(mount, release, log, retain, unloaded, zstdReading);
        this.state = new ModfsKernelState(mount, loader);
    }

    /**
     * The backend over the modfs at {@code dir}.
     *
     * @param log    where the loader's kernel-style lines go (stderr)
     * @param retain keep shared locks on what the run loaded or found loaded until {@link #close}
     *               (modprobe: dependencies stay put between its steps)
     * @param environment where the loader keeps its state ({@link UnloadedSymbols#stateDir})
     * @param zstdReading how the loader decodes a zstd module (the level's)
     */
    public static ModfsBackend open(Path dir, PrintStream log, boolean retain, Map<String, String> environment,
                                    ZstdReading zstdReading) throws IOException {
        ModfsMount mount = new ModfsMount(dir);
        return new ModfsBackend(mount, mount.version(), log, retain,
                UnloadedSymbols.open(UnloadedSymbols.stateDir(environment), dir), zstdReading);
    }

    /** The host's release ({@code version}): the module directory is /lib/modules/RELEASE. */
    public String release() {
        return release;
    }

    public Path root() {
        return mount.root();
    }

    public ModuleLoader loader() {
        return loader;
    }

    /** The mount's modules in the words of /sys/module. */
    public KernelState state() {
        return state;
    }

    /**
     * The mount's modules for lsmod, most recently made first, as /proc/modules lists them, read
     * in one pass: each info once, the holders from those infos, so a module removed meanwhile
     * is either listed whole or not at all.
     */
    public List<ListedModule> listing() throws IOException {
        List<String> names = mount.modules();
        Map<String, Optional<ModuleInfo>> infos = new HashMap<>();
        names.forEach(name -> infos.put(name, mount.info(name)));
        List<ListedModule> listed = new ArrayList<>();
        for (String name : names) {
            Optional<ModuleStatus> status = mount.status(name);
            if (status.isEmpty() && !mount.exists(name)) {
                continue;
            }
            List<String> holders = names.stream()
                    .filter(other -> !other.equals(name))
                    .filter(other -> infos.get(other).filter(i -> i.dependencies().contains(name)).isPresent())
                    .sorted()
                    .toList();
            listed.add(new ListedModule(name, status.map(ModuleStatus::size).orElse(0L), holders,
                    infos.get(name).map(ModuleInfo::objects).orElse(List.of())));
        }
        Collections.reverse(listed);
        return listed;
    }

    /**
     * Names addresses by the symbols of the live modules, in the order they were loaded, then
     * by those of the modules removed, the most recent first.
     */
    public Symbolizer symbolizer() throws IOException {
        List<Symbolizer.Known> known = new ArrayList<>();
        for (String module : mount.modules()) {
            mount.symbols(module).ifPresent(s -> known.add(new Symbolizer.Known(s, "")));
        }
        if (unloaded.isPresent()) {
            for (UnloadedSymbols.Unloaded u : unloaded.get().all()) {
                known.add(new Symbolizer.Known(u.symbols(), "unloaded " + u.when()));
            }
        }
        return new Symbolizer(known);
    }

    /**
     * Starts JNA as the backend starts it, for the run that makes the class-data archive;
     * nothing else happens.
     */
    public static void warmUp() {
        try {
            Sys.inode("/");
        } catch (Sys.SysError | LinkageError e) {
            // no JNA here: the archive goes without its classes
        }
    }

    @Override
    public void close() {
        loader.close();
    }
}

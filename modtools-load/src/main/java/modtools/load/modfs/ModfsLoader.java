package modtools.load.modfs;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import modtools.deps.resolve.Insertion;
import modtools.elf.module.ZstdReading;
import modtools.deps.resolve.ModuleLoader;
import modtools.load.ObjectLoader;
import modtools.load.symbols.UnloadedSymbols;

/**
 * The loader over a mounted modfs, and rmmod's side of it: a load runs {@link LoadSteps}'s
 * chain, a removal {@link ModfsRemover}. What the kernel would log goes to {@code log}
 * (stderr), a line each, in the kernel's words ({@code NAME: Unknown symbol SYM (err -2)}),
 * and the errno is the kernel's, so the commands print kmod's messages.
 *
 * <p>Locks, all flock(2) on a module's {@code info}: a loader holds LOCK_EX on its own from
 * mkdir until the module is live and its info written, and LOCK_SH on each provider's from
 * resolution until then; rmmod takes LOCK_EX|LOCK_NB; whoever finds a directory nobody holds
 * whose module is not complete (a killed loader's) removes what is there. With {@code retain}
 * (modprobe), the shared locks on everything the run loaded or found loaded are kept until
 * {@link #close}, so no other process removes a dependency between two steps of one modprobe.
 */
public final class ModfsLoader implements ModuleLoader, ObjectLoader, AutoCloseable {
    /** For the tests that kill a loader part-way: {@link LoadChain#STOP_AFTER}. */
    public static final String STOP_AFTER = LoadChain.STOP_AFTER;

    private final ModfsMount mount;
    private final RetainedLocks retained;
    private final ModfsRemover remover;
    private final LoadChain chain;

    ModfsLoader(ModfsMount mount, String release, PrintStream log, boolean retain,
                Optional<UnloadedSymbols> unloaded, ZstdReading zstdReading) {
        this.mount = mount;
        this.retained = new RetainedLocks(retain);
        this.remover = new ModfsRemover(mount, log, unloaded);
        String jnu = System.getProperty("sun.jnu.encoding");
        Charset charset = jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
        this.chain = new LoadSteps(mount, release, log, charset, retained, remover, zstdReading).chain();
    }

    @Override
    public Insertion insert(String path, String options, boolean forceVermagic, boolean forceModversion) {
        return insertObjects(List.of(path), options, forceVermagic, Optional.empty());
    }

    @Override
    public Insertion insertObjects(List<String> paths, String options, boolean force, Optional<Duration> initTimeout) {
        Load load = new Load(paths.stream().map(Path::of).toList(), Parameters.split(options), force, initTimeout);
        try {
            chain.run(load);
            return Insertion.INSERTED;
        } catch (Failed f) {
            return f.insertion();
        } finally {
            if (load.fd >= 0) {
                Sys.closeQuietly(load.fd);
            }
            release(load);
        }
    }

    /** Drops the load's locks, or with {@code retain} keeps shared ones on what it loaded and used. */
    private void release(Load load) {
        InfoLock own = load.own;
        if (retained.retains() && load.loaded) {
            try {
                own.shared();
                retained.keep(own);
            } catch (Sys.SysError e) {
                own.close();
            }
            load.providers.forEach(retained::keep);
            return;
        }
        if (own != null) {
            own.close();
        }
        load.providers.forEach(InfoLock::close);
    }

    /**
     * Whether the module is loaded, for modprobe's question before each step; with
     * {@code retain} the answer is held under LOCK_SH until the run ends.
     */
    boolean loaded(String module) {
        if (!retained.retains()) {
            return mount.complete(module);
        }
        InfoLock held = retained.get(module);
        if (held != null) {
            if (held.stillAt() && mount.complete(module)) {
                return true;
            }
            retained.drop(module);
        }
        if (!mount.complete(module)) {
            return false;
        }
        try {
            InfoLock lock = InfoLock.open(mount, module);
            lock.shared();
            if (lock.stillAt() && mount.complete(module)) {
                retained.keep(lock);
                return true;
            }
            lock.close();
        } catch (Sys.SysError e) {
            // gone meanwhile
        }
        return false;
    }

    @Override
    public int remove(String module, boolean force) {
        retained.drop(module);
        return remover.remove(module, force);
    }

    /** Drops the locks this run kept. */
    @Override
    public void close() {
        retained.close();
    }
}

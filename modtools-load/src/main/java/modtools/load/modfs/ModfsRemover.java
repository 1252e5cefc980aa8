package modtools.load.modfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import modtools.contract.ControlVerb;
import modtools.contract.ModfsFiles;
import modtools.contract.ModuleState;
import modtools.contract.ModuleStatus;
import modtools.contract.ModuleSymbols;
import modtools.deps.resolve.LinuxErrno;
import modtools.load.symbols.UnloadedSymbols;

/**
 * rmmod's side of the loader, and the removal of what a killed loader left: under LOCK_EX on
 * the module's info, each module file is stopped if live, unmapped and unlinked, then the
 * directory goes. A module another module's info lists as a dependency is in use.
 */
final class ModfsRemover {
    /** How long removing a killed loader's module waits for an init or exit still running. */
    private static final long SETTLE_MILLIS = 120_000;

    private final ModfsMount mount;
    private final PrintStream log;
    private final Optional<UnloadedSymbols> unloaded;

    ModfsRemover(ModfsMount mount, PrintStream log, Optional<UnloadedSymbols> unloaded) {
        this.mount = mount;
        this.log = log;
        this.unloaded = unloaded;
    }

    /**
     * rmmod: 0, or the errno the kernel's delete_module would answer. A module whose code
     * faulted ({@code failed}) goes only with {@code force}, and then without its exit; one
     * whose init or exit is still running is busy, said in one line, at once.
     */
    int remove(String module, boolean force) {
        if (!mount.exists(module)) {
            return LinuxErrno.ENOENT;
        }
        InfoLock lock;
        try {
            lock = InfoLock.open(mount, module);
        } catch (Sys.SysError e) {
            return e.errno;
        }
        try {
            if (!lock.tryExclusive()) {
                return heldElsewhere(module, lock);
            }
            if (!lock.stillAt()) {
                return LinuxErrno.ENOENT;
            }
            Optional<String> busy = busy(module, force);
            if (busy.isPresent()) {
                log.println(busy.get());
                return LinuxErrno.EBUSY;
            }
            if (!mount.complete(module)) {
                cleanup(module, force);
                return 0;
            }
            if (!mount.holders(module).isEmpty()) {
                return LinuxErrno.EAGAIN;
            }
            Optional<ModuleSymbols> symbols = mount.symbols(module);
            control(module, ControlVerb.EXIT, ModfsFiles.MODULE);
            control(module, ControlVerb.UNMAP, ModfsFiles.MODULE);
            Sys.removeFile(mount.file(module, ModfsFiles.MODULE));
            Sys.removeDirectory(mount.dir(module));
            remember(symbols);
            return 0;
        } catch (Sys.SysError e) {
            return e.errno;
        } catch (Failed e) {
            e.lines.forEach(log::println);
            return e.errno;
        } catch (IOException e) {
            return LinuxErrno.of(e);
        } finally {
            lock.close();
        }
    }

    /**
     * The errno for a module whose info another process has locked. LOCK_SH alone on a loaded
     * module is a load that depends on it right now: in use, EAGAIN, as the kernel answers for
     * a module with users. LOCK_EX is its loader or another remover at work on it: EBUSY, the
     * kernel's answer for a module that is coming or going.
     */
    private int heldElsewhere(String module, InfoLock lock) throws Sys.SysError {
        if (!mount.complete(module) || !lock.tryShared()) {
            return LinuxErrno.EBUSY;
        }
        lock.unlock();
        return LinuxErrno.EAGAIN;
    }

    /** Why rmmod cannot take {@code module} now, in modfs's words; empty if it can. */
    private Optional<String> busy(String module, boolean force) throws IOException {
        for (String file : mount.moduleFiles(module)) {
            Optional<ModuleStatus> status = mount.status(module, file);
            if (status.isEmpty()) {
                continue;
            }
            ModuleState state = status.get().state();
            if (state == ModuleState.INITIALIZING || state == ModuleState.GOING) {
                return Optional.of(module + ": " + file + " is " + state.word() + ": its "
                        + (state == ModuleState.GOING ? "exit" : "init") + " is still running");
            }
            if (state == ModuleState.FAILED && !force) {
                return Optional.of(failed(module, file));
            }
        }
        return Optional.empty();
    }

    /**
     * Why a failed module stays until rmmod -f: its exit must not run, and modfs never runs
     * it, so only the one who asks to remove it without its exit does. Its info says whether
     * it failed once loaded (a fault in exit or in a thread) or while its loader, now gone,
     * was still at work (its init failed, or faulted).
     */
    private String failed(String module, String file) {
        String why = mount.info(module).isPresent() ? "its code faulted"
                : "its loader is gone and its init failed or its code faulted";
        return module + ": " + file + " is failed: " + why + " (see the mount's log); "
                + "rmmod -f removes it without running its exit";
    }

    /** Keeps a removed module's symbols for naming its addresses later; a store that fails only forgets. */
    private void remember(Optional<ModuleSymbols> symbols) {
        if (symbols.isEmpty() || unloaded.isEmpty()) {
            return;
        }
        try {
            unloaded.get().record(symbols.get(), Instant.now());
        } catch (IOException e) {
            log.println(symbols.get().module() + ": its symbols are not kept after unload: " + e.getMessage());
        }
    }

    /**
     * Removes what a killed loader left, once no init or exit of it runs; a failed module
     * only with {@code force} (EBUSY and rmmod's line otherwise). The caller holds LOCK_EX on
     * the info.
     */
    void cleanup(String name, boolean force) throws Failed {
        try {
            List<String> files = mount.moduleFiles(name);
            for (String file : files) {
                if (settled(name, file).is(ModuleState.FAILED) && !force) {
                    throw new Failed(LinuxErrno.EBUSY, failed(name, file));
                }
            }
            for (String file : files) {
                ModuleStatus status = settled(name, file);
                if (status.is(ModuleState.LIVE)) {
                    control(name, ControlVerb.EXIT, file);
                    status = settled(name, file);
                }
                if (!status.is(ModuleState.UNMAPPED)) {
                    control(name, ControlVerb.UNMAP, file);
                }
                Sys.removeFile(mount.file(name, file));
            }
            Sys.removeDirectory(mount.dir(name));
        } catch (Sys.SysError e) {
            if (e.errno != Sys.ENOENT) {
                throw new Failed(e.errno, name + ": cannot remove what an interrupted load left: "
                        + LinuxErrno.strerror(e.errno));
            }
        } catch (IOException e) {
            throw new Failed(LinuxErrno.of(e));
        }
    }

    /** The status once no init or exit is running. */
    private ModuleStatus settled(String name, String file) throws Failed {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (true) {
            Optional<ModuleStatus> status = mount.status(name, file);
            if (status.isEmpty()) {
                return new ModuleStatus(ModuleState.UNMAPPED, 0, 0);
            }
            if (!status.get().is(ModuleState.INITIALIZING) && !status.get().is(ModuleState.GOING)) {
                return status.get();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new Failed(LinuxErrno.EBUSY, name + ": " + file + " is still " + status.get().state().word()
                        + " after " + SETTLE_MILLIS / 1000 + " s");
            }
            Pause.millis(10);
        }
    }

    /** One command to the module's control file; modfs's refusal is the write's errno. */
    void control(String name, ControlVerb verb, String file) throws Sys.SysError {
        int fd = Sys.openFile(mount.control(name), Sys.O_WRONLY, 0);
        try {
            Sys.writeOnce(fd, verb.command(file).getBytes(StandardCharsets.ISO_8859_1));
        } finally {
            Sys.closeQuietly(fd);
        }
    }
}

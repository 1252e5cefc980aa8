package modtools.load.modfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import modtools.contract.ControlVerb;
import modtools.elf.module.ZstdReading;
import modtools.contract.ModfsFiles;
import modtools.contract.ModuleState;
import modtools.contract.ModuleStatus;
import modtools.contract.ModuleSymbols;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.Elf;
import modtools.elf.ElfFormatException;
import modtools.link.LinkException;
import modtools.link.LinkProblem;
import modtools.link.LinkedImage;
import modtools.link.Linker;
import modtools.link.Placement;
import modtools.link.Provider;
import modtools.link.SymbolMap;
import modtools.link.SymbolMaps;
import modtools.load.info.ModuleInfo;
import modtools.load.symbols.ImageSymbols;

/**
 * The steps of a load over modfs (docs/loader.md), in the order {@link #chain} runs them:
 *
 * <ol>
 * <li>read: the objects, checked and made one;</li>
 * <li>claim: {@code mkdir NAME} and LOCK_EX on its info, held until the load ends;</li>
 * <li>resolve: every import against the host's symbols and loaded modules' exports, LOCK_SH
 *     on each provider's info until the load ends;</li>
 * <li>map: a first link to learn the image's size, the module file made that large and
 *     mapped;</li>
 * <li>relocate: the link at the address {@code map} gave;</li>
 * <li>parameters: the arguments set in the image, which then goes into the module file;</li>
 * <li>init: {@code init module};</li>
 * <li>publish: the init part dropped and the info written, which makes the module loaded.</li>
 * </ol>
 *
 * Each step that makes something has its undo, which the chain runs in reverse when a later
 * step fails: exit, unmap and unlink, rmdir.
 */
final class LoadSteps {
    /** Where the first link is laid out to learn the image's size; the host's window starts here. */
    static final long PROVISIONAL_BASE = 0x40000000L;
    private static final int EIO = 5;
    private static final int MAX_CLAIM_ATTEMPTS = 10_000;

    private final ModfsMount mount;
    private final String release;
    private final PrintStream log;
    private final Charset charset;
    private final RetainedLocks retained;
    private final ModfsRemover remover;
    private final ZstdReading zstdReading;

    LoadSteps(ModfsMount mount, String release, PrintStream log, Charset charset, RetainedLocks retained,
              ModfsRemover remover, ZstdReading zstdReading) {
        this.zstdReading = zstdReading;
        this.mount = mount;
        this.release = release;
        this.log = log;
        this.charset = charset;
        this.retained = retained;
        this.remover = remover;
    }

    LoadChain chain() {
        return new LoadChain(List.of(
                LoadChain.Step.keepsNothing("read", this::read),
                new LoadChain.Step("claim", this::claim, this::unclaim),
                LoadChain.Step.keepsNothing("resolve", this::resolve),
                new LoadChain.Step("map", this::layOutAndMap, this::unmap),
                LoadChain.Step.keepsNothing("relocate", this::relocate),
                LoadChain.Step.keepsNothing("parameters", this::setParameters),
                new LoadChain.Step("init", this::init, this::exit),
                LoadChain.Step.keepsNothing("publish", this::publish)), log);
    }

    // ------------------------------------------------------------------ read

    private void read(Load load) throws Failed {
        load.object = ModuleObject.read(load.files, release, load.forceVermagic, zstdReading);
    }

    // ------------------------------------------------------------------ claim

    /**
     * mkdir claims the name and LOCK_EX on its info holds it. A name taken already is waited
     * for (LOCK_SH waits for its loader or remover); then it is loaded (EEXIST), gone (try
     * again), or left by a killed loader (remove its remains, or take over a directory that
     * never got further than mkdir, and try again).
     */
    private void claim(Load load) throws Failed {
        String name = load.name();
        for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
            boolean made;
            try {
                Sys.makeDirectory(mount.dir(name));
                made = true;
            } catch (Sys.SysError e) {
                if (e.errno != Sys.EEXIST) {
                    throw new Failed(e.errno,
                            name + ": cannot claim " + mount.dir(name) + ": " + LinuxErrno.strerror(e.errno));
                }
                made = false;
            }
            InfoLock lock;
            try {
                lock = InfoLock.open(mount, name);
            } catch (Sys.SysError e) {
                if (e.errno == Sys.ENOENT) {
                    continue;
                }
                throw new Failed(e.errno);
            }
            boolean keep = false;
            try {
                if (made) {
                    lock.exclusive();
                    if (lock.stillAt() && fresh(name)) {
                        keep = true;
                        load.own = lock;
                        return;
                    }
                    continue;
                }
                lock.shared();
                if (!lock.stillAt()) {
                    continue;
                }
                if (mount.complete(name)) {
                    keep = retained.keep(lock);
                    throw new Failed(LinuxErrno.EEXIST);
                }
                lock.unlock();
                if (!lock.tryExclusive()) {
                    Pause.millis(2);
                    continue;
                }
                if (!lock.stillAt() || mount.complete(name)) {
                    continue;
                }
                if (fresh(name)) {
                    keep = true;
                    load.own = lock;
                    return;
                }
                remover.cleanup(name, false);
            } catch (Sys.SysError e) {
                throw new Failed(e.errno);
            } finally {
                if (!keep) {
                    lock.close();
                }
            }
        }
        throw new Failed(LinuxErrno.EBUSY,
                name + ": gave up claiming the name after " + MAX_CLAIM_ATTEMPTS + " attempts");
    }

    /** A directory nothing was done in after mkdir: no module file, an empty info. */
    private boolean fresh(String name) {
        try {
            return mount.moduleFiles(name).isEmpty()
                    && ModfsMount.read(Path.of(mount.infoPath(name))).map(String::isEmpty).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    private void unclaim(Load load) throws Failed {
        if (load.own == null) {
            return; // the name was never ours
        }
        try {
            Sys.removeDirectory(mount.dir(load.name()));
        } catch (Sys.SysError e) {
            throw undoFailed(load, e);
        }
    }

    // ------------------------------------------------------------------ resolve

    private void resolve(Load load) throws Failed {
        String name = load.name();
        SymbolMap.Builder builder = new SymbolMap.Builder();
        try {
            SymbolMaps.readHost(mount.symbols(), builder);
        } catch (IOException e) {
            throw new Failed(LinuxErrno.of(e), name + ": cannot read " + mount.symbols() + ": " + e.getMessage());
        } catch (LinkException e) {
            throw new Failed(LinuxErrno.ENOEXEC, name + ": " + e.getMessage());
        }
        SymbolMap host = builder.build();
        SymbolResolver resolver = new SymbolResolver(symbol -> host.find(symbol) != null);
        try {
            for (String other : mount.modules()) {
                if (!other.equals(name)) {
                    mount.info(other).ifPresent(info -> resolver.loaded(other, info));
                }
            }
        } catch (IOException e) {
            throw new Failed(LinuxErrno.of(e), name + ": cannot list " + mount.root() + ": " + e.getMessage());
        }
        ModuleObject object = load.object;
        SymbolResolver.Plan plan = resolver.plan(name, object.license(), object.exports(), object.imports());
        boolean gpl = SymbolResolver.mayUseGplOnly(object.license());
        List<String> unknown = new ArrayList<>(plan.unknown());
        for (var provider : plan.providers().entrySet()) {
            Optional<ModuleInfo> info = holdProvider(provider.getKey(), load.providers);
            if (info.isEmpty()) {
                unknown.addAll(provider.getValue());
                continue;
            }
            for (ModuleInfo.Export e : info.get().exports()) {
                if (!e.gpl() || gpl) {
                    builder.define(e.name(), e.address(), e.function(), new Provider.Module(provider.getKey()));
                }
            }
        }
        SymbolMap map = builder.build();
        unknown.removeIf(symbol -> map.find(symbol) != null);
        if (!unknown.isEmpty()) {
            throw SymbolResolver.unknownSymbols(name, unknown);
        }
        load.symbols = map;
        load.dependencies = plan.dependencies();
    }

    /**
     * LOCK_SH on a provider's info, held until the load ends; its exports as they read under
     * the lock, or empty when it went away meanwhile.
     */
    private Optional<ModuleInfo> holdProvider(String provider, List<InfoLock> providers) throws Failed {
        try {
            InfoLock lock;
            try {
                lock = InfoLock.open(mount, provider);
            } catch (Sys.SysError e) {
                if (e.errno == Sys.ENOENT) {
                    return Optional.empty();
                }
                throw e;
            }
            lock.shared();
            Optional<ModuleInfo> info = lock.stillAt() && mount.complete(provider) ? mount.info(provider)
                    : Optional.empty();
            if (info.isEmpty()) {
                lock.close();
            } else {
                providers.add(lock);
            }
            return info;
        } catch (Sys.SysError e) {
            throw new Failed(e.errno);
        }
    }

    // ------------------------------------------------------------------ lay out and map

    private void layOutAndMap(Load load) throws Failed {
        String name = load.name();
        LinkedImage image = link(load, PROVISIONAL_BASE);
        long size = image.layout().header().imageSize();
        try {
            load.fd = Sys.openFile(mount.file(name, ModfsFiles.MODULE), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0644);
            Sys.truncate(load.fd, size);
            load.address = map(name);
        } catch (Sys.SysError e) {
            throw new Failed(e.errno);
        }
        load.image = image;
    }

    /** Writes {@code map module} and reads the address back from the module's status. */
    private long map(String name) throws Failed, Sys.SysError {
        remover.control(name, ControlVerb.MAP, ModfsFiles.MODULE);
        Optional<ModuleStatus> status = mount.status(name);
        if (status.isEmpty() || !status.get().is(ModuleState.MAPPED) || status.get().address() == 0) {
            throw new Failed(EIO, name + ": modfs did not report where it mapped the module");
        }
        return status.get().address();
    }

    private void unmap(Load load) throws Failed {
        String name = load.name();
        try {
            if (load.fd >= 0) {
                Optional<ModuleStatus> status = mount.status(name);
                if (status.isPresent() && !status.get().is(ModuleState.UNMAPPED)) {
                    remover.control(name, ControlVerb.UNMAP, ModfsFiles.MODULE);
                }
                Sys.removeFile(mount.file(name, ModfsFiles.MODULE));
            }
        } catch (Sys.SysError e) {
            throw undoFailed(load, e);
        }
    }

    // ------------------------------------------------------------------ relocate

    /** Links at the mapped address; should veneers make the image grow there, maps it again larger. */
    private void relocate(Load load) throws Failed {
        String name = load.name();
        long mapped = load.image.layout().header().imageSize();
        try {
            for (int tries = 0; ; tries++) {
                if (load.address != load.image.layout().base()) {
                    load.image = link(load, load.address);
                }
                long needed = load.image.layout().header().imageSize();
                if (needed <= mapped) {
                    if (needed < mapped) {
                        Sys.truncate(load.fd, needed);
                    }
                    return;
                }
                if (tries == 3) {
                    throw new Failed(LinuxErrno.ENOEXEC, name + ": the image's size does not settle where modfs maps it");
                }
                remover.control(name, ControlVerb.UNMAP, ModfsFiles.MODULE);
                Sys.truncate(load.fd, needed);
                mapped = needed;
                load.address = map(name);
            }
        } catch (Sys.SysError e) {
            throw new Failed(e.errno);
        }
    }

    private LinkedImage link(Load load, long base) throws Failed {
        try {
            return Linker.link(load.object.elf(), base, load.symbols);
        } catch (LinkException e) {
            throw new Failed(e.problem() instanceof LinkProblem.UnknownSymbol ? LinuxErrno.ENOENT : LinuxErrno.ENOEXEC,
                    load.name() + ": " + e.getMessage());
        } catch (ElfFormatException e) {
            throw new Failed(LinuxErrno.ENOEXEC, load.name() + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ parameters

    /**
     * Sets the arguments in the image by the SDK's {@code __param} table, or by the
     * {@code parmtype=} lines of {@code .modinfo} without one, and writes the image.
     */
    private void setParameters(Load load) throws Failed {
        String name = load.name();
        LinkedImage image = load.image;
        byte[] bytes = new byte[(int) image.layout().header().imageSize()];
        image.bytes().get(bytes);
        Parameters parameters = new Parameters(name, bytes, image.layout().base(), log::println, charset);
        try {
            Optional<Placement> section = ExportTable.placement(image.layout().sections(), "__param");
            List<Parameters.Param> table = section.isPresent()
                    ? parameters.table(section.get().address(), section.get().size())
                    : parameters.declared(load.object.parmtypes(), globals(image));
            List<String> given = parameters.apply(table, load.args);
            List<ModuleInfo.Parameter> out = new ArrayList<>();
            for (Parameters.Param p : table) {
                out.add(new ModuleInfo.Parameter(p.name(), p.typeName(), p.perm(), parameters.show(p),
                        given.contains(p.name())));
            }
            load.parameters = out;
        } catch (Parameters.Refused e) {
            throw new Failed(e.errno);
        }
        try {
            Sys.writeAt(load.fd, bytes, 0);
        } catch (Sys.SysError e) {
            throw new Failed(e.errno);
        }
        load.bytes = bytes;
    }

    private static Map<String, Long> globals(LinkedImage image) throws Failed {
        Map<String, Long> globals = new HashMap<>();
        try {
            for (LinkedImage.DefinedSymbol s : image.definedSymbols()) {
                if (s.binding() != Elf.STB_LOCAL) {
                    globals.putIfAbsent(s.name(), s.address());
                }
            }
        } catch (ElfFormatException e) {
            throw new Failed(LinuxErrno.ENOEXEC, e.getMessage());
        }
        return globals;
    }

    // ------------------------------------------------------------------ init

    /** Writes the module's symbols, so that its addresses have names from its init on, and runs init. */
    private void init(Load load) throws Failed {
        try {
            ModuleSymbols symbols = ImageSymbols.of(load.name(), load.image, new HashSet<>(load.object.exports()));
            int fd = Sys.openFile(mount.file(load.name(), ModfsFiles.KALLSYMS), Sys.O_WRONLY | Sys.O_CREAT, 0644);
            try {
                Sys.writeAt(fd, symbols.text().getBytes(StandardCharsets.ISO_8859_1), 0);
            } finally {
                Sys.closeQuietly(fd);
            }
            if (load.initTimeout.isPresent()) {
                initWithin(load.name(), load.initTimeout.get());
            } else {
                remover.control(load.name(), ControlVerb.INIT, ModfsFiles.MODULE);
            }
        } catch (ElfFormatException e) {
            throw new Failed(LinuxErrno.ENOEXEC, load.name() + ": " + e.getMessage());
        } catch (Sys.SysError e) {
            throw new Failed(e.errno);
        }
    }

    /**
     * {@code init module} from a thread of its own, waited for {@code timeout}: then the load
     * gives up (ETIME) and leaves the write to the process's end, when the kernel interrupts
     * it (FUSE_INTERRUPT, answered EINTR) as it does for a killed loader's.
     */
    private void initWithin(String name, Duration timeout) throws Sys.SysError, Failed {
        CompletableFuture<Optional<Sys.SysError>> written = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                remover.control(name, ControlVerb.INIT, ModfsFiles.MODULE);
                written.complete(Optional.empty());
            } catch (Sys.SysError e) {
                written.complete(Optional.of(e));
            } catch (RuntimeException | Error e) {
                written.completeExceptionally(e);
            }
        }, "init of " + name);
        writer.setDaemon(true);
        writer.start();
        Optional<Sys.SysError> refused;
        try {
            refused = written.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw Failed.gaveUp(LinuxErrno.ETIME);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failed.gaveUp(LinuxErrno.EINTR);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) e.getCause();
        }
        if (refused.isPresent()) {
            throw refused.get();
        }
    }

    /** Stops the module if its init succeeded; a failed init leaves only the unmap. */
    private void exit(Load load) throws Failed {
        if (mount.status(load.name()).filter(s -> s.is(ModuleState.LIVE)).isEmpty()) {
            return;
        }
        try {
            remover.control(load.name(), ControlVerb.EXIT, ModfsFiles.MODULE);
        } catch (Sys.SysError e) {
            throw undoFailed(load, e);
        }
    }

    // ------------------------------------------------------------------ publish

    /** Drops the init part and writes the info: from here on the module is loaded. */
    private void publish(Load load) throws Failed {
        LinkedImage image = load.image;
        var header = image.layout().header();
        try {
            List<LinkedImage.DefinedSymbol> symbols = image.definedSymbols();
            List<ModuleInfo.Export> exports = ExportTable.of(load.name(), load.object.exports(),
                    image.layout().sections(), load.bytes, image.layout().base(), symbols);
            Sys.truncate(load.fd, header.coreSize());
            ModuleInfo info = new ModuleInfo(load.name(), load.object.sources().get(0), load.object.sources(),
                    load.object.license(),
                    load.address, header.imageSize(), header.coreSize(), header.init(), header.exit(),
                    load.dependencies, exports, load.parameters, ProcessHandle.current().pid());
            load.own.write(info.toJson());
        } catch (Sys.SysError e) {
            throw new Failed(e.errno);
        } catch (ElfFormatException e) {
            throw new Failed(LinuxErrno.ENOEXEC, load.name() + ": " + e.getMessage());
        }
        load.loaded = true;
    }

    private static Failed undoFailed(Load load, Sys.SysError e) {
        return new Failed(e.errno, load.name() + ": could not take back the failed load: " + LinuxErrno.strerror(e.errno));
    }
}

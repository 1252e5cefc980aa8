package modtools.load.modfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import modtools.contract.ControlVerb;
import modtools.contract.ModfsFiles;
import modtools.contract.ModuleState;
import modtools.contract.ModuleStatus;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.ModuleLoader;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.ElfHeader;
import modtools.elf.Symbol;
import modtools.elf.module.Import;
import modtools.elf.module.KernelModule;
import modtools.elf.module.ModuleFile;
import modtools.link.LinkException;
import modtools.link.LinkProblem;
import modtools.link.LinkedImage;
import modtools.link.Linker;
import modtools.link.Placement;
import modtools.link.Provider;
import modtools.link.SymbolMap;
import modtools.link.SymbolMaps;
import modtools.load.info.ModuleInfo;

/**
 * The loader over a mounted modfs: DESIGN.md's "The loader, step by step", and rmmod's side of
 * it. Each step is a method below; what the kernel would log goes to {@code log} (stderr), a
 * line each, in the kernel's words ({@code NAME: Unknown symbol SYM (err -2)}), and the errno
 * is the kernel's, so the commands print kmod's messages.
 *
 * <p>Locks, all flock(2) on a module's {@code info}: a loader holds LOCK_EX on its own from
 * mkdir until the module is live and its info written, and LOCK_SH on each provider's from
 * resolution until then; rmmod takes LOCK_EX|LOCK_NB; whoever finds a directory nobody holds
 * whose module is not complete (a killed loader's) removes what is there. With {@code retain}
 * (modprobe), the shared locks on everything the run loaded or found loaded are kept until
 * {@link #close}, so no other process removes a dependency between two steps of one modprobe.
 */
public final class ModfsLoader implements ModuleLoader, AutoCloseable {
    /** Where the first link is laid out to learn the image's size; the host's window starts here. */
    static final long PROVISIONAL_BASE = 0x40000000L;
    private static final int EIO = 5;
    private static final String GOT_SYMBOL = "_GLOBAL_OFFSET_TABLE_";
    private static final int KSYMTAB_RECORD = 24;
    private static final int MAX_CLAIM_ATTEMPTS = 10_000;
    /** How long removing a killed loader's module waits for an init or exit still running. */
    private static final long SETTLE_MILLIS = 120_000;
    /** Linux's license_is_gpl_compatible. */
    private static final Set<String> GPL_COMPATIBLE = Set.of("GPL", "GPL v2", "GPL and additional rights",
            "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL");

    /**
     * For the tests that kill a loader part-way: the step after which a load says so on stderr
     * and waits to be killed ({@code mkdir}, {@code resolve}, {@code map}, {@code write},
     * {@code init} or {@code info}), from the environment variable of that name.
     */
    public static final String STOP_AFTER = "MODTOOLS_LOADER_STOP_AFTER";
    private static final String STOP_STEP = System.getenv(STOP_AFTER);

    private final ModfsMount mount;
    private final String release;
    private final PrintStream log;
    private final boolean retain;
    private final Charset charset;
    private final Map<String, InfoLock> retained = new HashMap<>();

    /** A step failed with this errno; what to say was logged already. */
    static final class Failed extends Exception {
        final int errno;

        Failed(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    ModfsLoader(ModfsMount mount, String release, PrintStream log, boolean retain) {
        this.mount = mount;
        this.release = release;
        this.log = log;
        this.retain = retain;
        String jnu = System.getProperty("sun.jnu.encoding");
        this.charset = jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
    }

    ModfsMount mount() {
        return mount;
    }

    private void log(String line) {
        log.println(line);
    }

    // ================================================================== insmod

    @Override
    public int insert(String path, String options, boolean forceVermagic, boolean forceModversion) {
        try {
            load(Path.of(path), options, forceVermagic);
            return 0;
        } catch (Failed f) {
            return f.errno;
        }
    }

    /** What the object says about itself (step 1). */
    private record ObjectFacts(ElfFile elf, String name, String license, List<Import> imports,
                               List<String> exports) {}

    /** What has been made so far, for undoing it (steps 4 to 7). */
    private static final class Progress {
        boolean created;
        boolean mapped;
        boolean live;
    }

    private void load(Path file, String options, boolean forceVermagic) throws Failed {
        ObjectFacts object = read(file, forceVermagic);
        String name = object.name();
        List<Parameters.Arg> args = Parameters.split(options);
        InfoLock own = claim(name);
        List<InfoLock> providers = new ArrayList<>();
        Progress progress = new Progress();
        boolean done = false;
        try {
            checkpoint("mkdir");
            Resolution resolution = resolve(object, providers);
            checkpoint("resolve");
            ModuleInfo info = place(object, file, args, resolution, progress);
            own.write(info.toJson());
            checkpoint("info");
            done = true;
        } catch (Sys.SysError e) {
            throw new Failed(e.errno);
        } finally {
            if (!done) {
                undo(name, progress);
            }
            release(own, providers, done);
        }
    }

    // ------------------------------------------------------------------ 1. the object

    private ObjectFacts read(Path file, boolean forceVermagic) throws Failed {
        String fallback = AliasNormalizer.modnameOfPath(file.toString()).orElse(file.getFileName().toString());
        try {
            ElfFile elf = ModuleFile.open(file);
            ElfHeader h = elf.header();
            if (h.type() != Elf.ET_REL || h.machine() != Elf.EM_X86_64 || !h.is64()
                    || h.order() != ByteOrder.LITTLE_ENDIAN) {
                log(fallback + ": not a relocatable x86-64 object");
                throw new Failed(LinuxErrno.ENOEXEC);
            }
            KernelModule km = KernelModule.of(elf);
            String name = AliasNormalizer.normalizeModname(km.name().orElse(fallback));
            Optional<String> vermagic = km.vermagic();
            String expected = release + " mod_unload";
            if (!forceVermagic && vermagic.isPresent() && !vermagic.get().equals(expected)) {
                log(name + ": version magic '" + vermagic.get() + "' should be '" + expected + "'");
                throw new Failed(LinuxErrno.ENOEXEC);
            }
            KernelModule.Linkage linkage = km.linkage();
            List<String> exports = new ArrayList<>();
            linkage.exports().forEach(e -> exports.add(e.symbol()));
            return new ObjectFacts(elf, name, km.modinfo("license").orElse(""), linkage.imports(), exports);
        } catch (IOException e) {
            log(fallback + ": " + e.getMessage());
            throw new Failed(e instanceof modtools.elf.module.ModuleLoadException ? LinuxErrno.ENOEXEC
                    : LinuxErrno.of(e));
        } catch (ElfFormatException e) {
            log(fallback + ": " + e.getMessage());
            throw new Failed(LinuxErrno.ENOEXEC);
        }
    }

    // ------------------------------------------------------------------ 2. the name

    /**
     * mkdir claims the name and LOCK_EX on its info holds it. A name taken already is waited
     * for (LOCK_SH waits for its loader or remover); then it is loaded (EEXIST), gone (try
     * again), or left by a killed loader (remove its remains, or take over a directory that
     * never got further than mkdir, and try again).
     */
    private InfoLock claim(String name) throws Failed {
        for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
            boolean made;
            try {
                Sys.makeDirectory(mount.dir(name));
                made = true;
            } catch (Sys.SysError e) {
                if (e.errno != Sys.EEXIST) {
                    log(name + ": cannot claim " + mount.dir(name) + ": " + LinuxErrno.strerror(e.errno));
                    throw new Failed(e.errno);
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
                        return lock;
                    }
                    continue;
                }
                lock.shared();
                if (!lock.stillAt()) {
                    continue;
                }
                if (mount.complete(name)) {
                    keep = holdFor(lock);
                    throw new Failed(LinuxErrno.EEXIST);
                }
                lock.unlock();
                if (!lock.tryExclusive()) {
                    pause(2);
                    continue;
                }
                if (!lock.stillAt()) {
                    continue;
                }
                if (mount.complete(name)) {
                    continue;
                }
                if (fresh(name)) {
                    keep = true;
                    return lock;
                }
                cleanup(name);
            } catch (Sys.SysError e) {
                throw new Failed(e.errno);
            } finally {
                if (!keep) {
                    lock.close();
                }
            }
        }
        log(name + ": gave up claiming the name after " + MAX_CLAIM_ATTEMPTS + " attempts");
        throw new Failed(LinuxErrno.EBUSY);
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

    // ------------------------------------------------------------------ 3. symbols

    private record Resolution(SymbolMap map, List<String> dependencies) {}

    private Resolution resolve(ObjectFacts object, List<InfoLock> providers) throws Failed, Sys.SysError {
        String name = object.name();
        SymbolMap.Builder builder = new SymbolMap.Builder();
        try {
            SymbolMaps.read(mount.symbols(), builder);
        } catch (IOException e) {
            log(name + ": cannot read " + mount.symbols() + ": " + e.getMessage());
            throw new Failed(LinuxErrno.of(e));
        } catch (LinkException e) {
            log(name + ": " + e.getMessage());
            throw new Failed(LinuxErrno.ENOEXEC);
        }
        SymbolMap host = builder.build();
        Map<String, String> owner = new HashMap<>();
        Map<String, Boolean> gplOnly = new HashMap<>();
        List<String> loaded;
        try {
            loaded = mount.modules();
        } catch (IOException e) {
            log(name + ": cannot list " + mount.root() + ": " + e.getMessage());
            throw new Failed(LinuxErrno.of(e));
        }
        for (String other : loaded) {
            if (other.equals(name)) {
                continue;
            }
            Optional<ModuleInfo> info = mount.info(other);
            if (info.isPresent()) {
                for (ModuleInfo.Export e : info.get().exports()) {
                    if (owner.putIfAbsent(e.name(), other) == null) {
                        gplOnly.put(e.name(), e.gpl());
                    }
                }
            }
        }
        for (String export : object.exports()) {
            String holder = host.find(export) != null ? "kernel" : owner.get(export);
            if (holder != null) {
                log(name + ": exports duplicate symbol " + export + " (owned by " + holder + ")");
                throw new Failed(LinuxErrno.ENOEXEC);
            }
        }
        boolean gpl = GPL_COMPATIBLE.contains(object.license());
        List<String> unknown = new ArrayList<>();
        LinkedHashSet<String> dependencies = new LinkedHashSet<>();
        Map<String, List<String>> wanted = new HashMap<>();
        for (Import i : object.imports()) {
            String symbol = i.symbol();
            if (symbol.equals(GOT_SYMBOL) || host.find(symbol) != null) {
                continue;
            }
            String provider = owner.get(symbol);
            if (provider == null || (gplOnly.get(symbol) && !gpl)) {
                if (!i.weak()) {
                    unknown.add(symbol);
                }
                continue;
            }
            dependencies.add(provider);
            wanted.computeIfAbsent(provider, p -> new ArrayList<>()).add(symbol);
        }
        for (String provider : dependencies) {
            Optional<ModuleInfo> info = holdProvider(provider, providers);
            if (info.isEmpty()) {
                unknown.addAll(wanted.get(provider));
                continue;
            }
            for (ModuleInfo.Export e : info.get().exports()) {
                if (!e.gpl() || gpl) {
                    builder.define(e.name(), e.address(), e.function(), new Provider.Module(provider));
                }
            }
        }
        SymbolMap map = builder.build();
        List<String> missing = new ArrayList<>();
        for (String symbol : unknown) {
            if (map.find(symbol) == null && !missing.contains(symbol)) {
                missing.add(symbol);
            }
        }
        if (!missing.isEmpty()) {
            for (String symbol : missing) {
                log(name + ": Unknown symbol " + symbol + " (err -" + LinuxErrno.ENOENT + ")");
            }
            throw new Failed(LinuxErrno.ENOENT);
        }
        return new Resolution(map, List.copyOf(dependencies));
    }

    /**
     * LOCK_SH on a provider's info, held until the load ends; its exports as they read under
     * the lock, or empty when it went away meanwhile.
     */
    private Optional<ModuleInfo> holdProvider(String provider, List<InfoLock> providers) throws Sys.SysError {
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
    }

    // ------------------------------------------------------------------ 4 to 7. the image

    private ModuleInfo place(ObjectFacts object, Path file, List<Parameters.Arg> args, Resolution resolution,
                             Progress progress) throws Failed, Sys.SysError {
        String name = object.name();
        LinkedImage image = link(object, PROVISIONAL_BASE, resolution.map());
        long size = image.layout().header().imageSize();
        String modulePath = mount.file(name, ModfsFiles.MODULE);
        int fd = Sys.openFile(modulePath, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0644);
        progress.created = true;
        try {
            Sys.truncate(fd, size);
            long address = map(name, progress);
            checkpoint("map");
            long mapped = size;
            for (int tries = 0; ; tries++) {
                if (address != image.layout().base()) {
                    image = link(object, address, resolution.map());
                }
                long needed = image.layout().header().imageSize();
                if (needed <= mapped) {
                    if (needed < mapped) {
                        Sys.truncate(fd, needed);
                    }
                    break;
                }
                if (tries == 3) {
                    log(name + ": the image's size does not settle where modfs maps it");
                    throw new Failed(LinuxErrno.ENOEXEC);
                }
                control(name, ControlVerb.UNMAP, ModfsFiles.MODULE);
                progress.mapped = false;
                Sys.truncate(fd, needed);
                mapped = needed;
                address = map(name, progress);
            }
            byte[] bytes = new byte[(int) image.layout().header().imageSize()];
            image.bytes().get(bytes);
            List<ModuleInfo.Parameter> parameters = setParameters(name, image, bytes, args);
            List<ModuleInfo.Export> exports = exports(object, image, bytes);
            Sys.writeAt(fd, bytes, 0);
            checkpoint("write");
            control(name, ControlVerb.INIT, ModfsFiles.MODULE);
            progress.live = true;
            checkpoint("init");
            long core = image.layout().header().coreSize();
            Sys.truncate(fd, core);
            var header = image.layout().header();
            return new ModuleInfo(name, file.toAbsolutePath().toString(), object.license(), address,
                    header.imageSize(), core, header.init(), header.exit(), resolution.dependencies(), exports,
                    parameters, ProcessHandle.current().pid());
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    private LinkedImage link(ObjectFacts object, long base, SymbolMap map) throws Failed {
        try {
            return Linker.link(object.elf(), base, map);
        } catch (LinkException e) {
            log(object.name() + ": " + e.getMessage());
            throw new Failed(e.problem() instanceof LinkProblem.UnknownSymbol ? LinuxErrno.ENOENT : LinuxErrno.ENOEXEC);
        } catch (ElfFormatException e) {
            log(object.name() + ": " + e.getMessage());
            throw new Failed(LinuxErrno.ENOEXEC);
        }
    }

    /** Writes {@code map module} and reads the address back from the module's status. */
    private long map(String name, Progress progress) throws Failed, Sys.SysError {
        control(name, ControlVerb.MAP, ModfsFiles.MODULE);
        progress.mapped = true;
        Optional<ModuleStatus> status = mount.status(name);
        if (status.isEmpty() || !status.get().is(ModuleState.MAPPED) || status.get().address() == 0) {
            log(name + ": modfs did not report where it mapped the module");
            throw new Failed(EIO);
        }
        return status.get().address();
    }

    private List<ModuleInfo.Parameter> setParameters(String name, LinkedImage image, byte[] bytes,
                                                     List<Parameters.Arg> args) throws Failed {
        Parameters parameters = new Parameters(name, bytes, image.layout().base(), this::log, charset);
        try {
            List<Parameters.Param> table = new ArrayList<>();
            Optional<Placement> section = placement(image, "__param");
            if (section.isPresent()) {
                table = parameters.table(section.get().address(), section.get().size());
            }
            List<String> given = parameters.apply(table, args);
            List<ModuleInfo.Parameter> out = new ArrayList<>();
            for (Parameters.Param p : table) {
                out.add(new ModuleInfo.Parameter(p.name(), p.typeName(), p.perm(), parameters.show(p),
                        given.contains(p.name())));
            }
            return out;
        } catch (Parameters.Refused e) {
            throw new Failed(e.errno);
        }
    }

    /** The __ksymtab and __ksymtab_gpl records of the relocated image: each export's final address. */
    private List<ModuleInfo.Export> exports(ObjectFacts object, LinkedImage image, byte[] bytes) throws Failed {
        Map<String, Boolean> functions = new HashMap<>();
        try {
            Optional<modtools.elf.Section> symtab = object.elf().symbolTable();
            if (symtab.isPresent()) {
                for (Symbol s : object.elf().symbols(symtab.get()).all()) {
                    if (!s.isUndefined() && s.isGlobal()) {
                        functions.put(s.name(), s.type() == Elf.STT_FUNC);
                    }
                }
            }
        } catch (ElfFormatException e) {
            log(object.name() + ": " + e.getMessage());
            throw new Failed(LinuxErrno.ENOEXEC);
        }
        long base = image.layout().base();
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<ModuleInfo.Export> exports = new ArrayList<>();
        for (String section : List.of("__ksymtab", "__ksymtab_gpl")) {
            Optional<Placement> p = placement(image, section);
            if (p.isEmpty()) {
                continue;
            }
            for (long at = p.get().address(); at + KSYMTAB_RECORD <= p.get().end(); at += KSYMTAB_RECORD) {
                long off = at - base;
                long value = view.getLong((int) off);
                long namePointer = view.getLong((int) off + 8) - base;
                if (namePointer < 0 || namePointer >= bytes.length) {
                    log(object.name() + ": " + section + " record at " + ModuleStatus.hex(at)
                            + " names a symbol outside the image");
                    throw new Failed(LinuxErrno.ENOEXEC);
                }
                int end = (int) namePointer;
                while (end < bytes.length && bytes[end] != 0) {
                    end++;
                }
                String symbol = new String(bytes, (int) namePointer, end - (int) namePointer, StandardCharsets.ISO_8859_1);
                exports.add(new ModuleInfo.Export(symbol, value, functions.getOrDefault(symbol, false),
                        section.equals("__ksymtab_gpl")));
            }
        }
        return exports;
    }

    private static Optional<Placement> placement(LinkedImage image, String section) {
        for (Placement p : image.layout().sections()) {
            if (p.name().equals(section)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** One command to the module's control file; modfs's refusal is the write's errno. */
    private void control(String name, ControlVerb verb, String file) throws Sys.SysError {
        int fd = Sys.openFile(mount.control(name), Sys.O_WRONLY, 0);
        try {
            Sys.writeOnce(fd, verb.command(file).getBytes(StandardCharsets.ISO_8859_1));
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    // ------------------------------------------------------------------ undo and 8. release

    /** Takes back whatever a failed load made, in reverse: exit, unmap, unlink, rmdir. */
    private void undo(String name, Progress progress) {
        try {
            if (progress.live) {
                control(name, ControlVerb.EXIT, ModfsFiles.MODULE);
            }
            if (progress.mapped || progress.live) {
                control(name, ControlVerb.UNMAP, ModfsFiles.MODULE);
            }
            if (progress.created) {
                Sys.removeFile(mount.file(name, ModfsFiles.MODULE));
            }
            Sys.removeDirectory(mount.dir(name));
        } catch (Sys.SysError e) {
            log(name + ": could not take back the failed load: " + LinuxErrno.strerror(e.errno));
        }
    }

    private void release(InfoLock own, List<InfoLock> providers, boolean loaded) {
        if (retain && loaded) {
            try {
                own.shared();
                keep(own);
            } catch (Sys.SysError e) {
                own.close();
            }
            providers.forEach(this::keep);
            return;
        }
        own.close();
        providers.forEach(InfoLock::close);
    }

    /** Keeps a shared lock for the rest of the run; true when kept, false when this process holds one already. */
    private boolean keep(InfoLock lock) {
        InfoLock old = retained.putIfAbsent(lock.module(), lock);
        if (old != null && old != lock) {
            if (old.stillAt()) {
                lock.close();
                return false;
            }
            old.close();
            retained.put(lock.module(), lock);
        }
        return true;
    }

    /** After waiting: a module found loaded is held (retain) like a dependency. */
    private boolean holdFor(InfoLock lock) {
        return retain && keep(lock);
    }

    /**
     * Whether the module is loaded, for modprobe's question before each step; with
     * {@code retain} the answer is held under LOCK_SH until the run ends.
     */
    boolean loaded(String module) {
        if (!retain) {
            return mount.complete(module);
        }
        InfoLock held = retained.get(module);
        if (held != null) {
            if (held.stillAt() && mount.complete(module)) {
                return true;
            }
            retained.remove(module).close();
        }
        if (!mount.complete(module)) {
            return false;
        }
        try {
            InfoLock lock = InfoLock.open(mount, module);
            lock.shared();
            if (lock.stillAt() && mount.complete(module)) {
                keep(lock);
                return true;
            }
            lock.close();
        } catch (Sys.SysError e) {
            // gone meanwhile
        }
        return false;
    }

    // ================================================================== rmmod

    @Override
    public int remove(String module, boolean force) {
        InfoLock mine = retained.remove(module);
        if (mine != null) {
            mine.close();
        }
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
                // a loader holds it: one that depends on it (in use), or its own (still coming)
                return mount.complete(module) ? LinuxErrno.EAGAIN : LinuxErrno.EBUSY;
            }
            if (!lock.stillAt()) {
                return LinuxErrno.ENOENT;
            }
            if (!mount.complete(module)) {
                cleanup(module);
                return 0;
            }
            if (!mount.holders(module).isEmpty()) {
                return LinuxErrno.EAGAIN;
            }
            control(module, ControlVerb.EXIT, ModfsFiles.MODULE);
            control(module, ControlVerb.UNMAP, ModfsFiles.MODULE);
            Sys.removeFile(mount.file(module, ModfsFiles.MODULE));
            Sys.removeDirectory(mount.dir(module));
            return 0;
        } catch (Sys.SysError e) {
            return e.errno;
        } catch (Failed e) {
            return e.errno;
        } catch (IOException e) {
            return LinuxErrno.of(e);
        } finally {
            lock.close();
        }
    }

    /**
     * Removes what a killed loader left, holding LOCK_EX on the info: each module file is
     * stopped if live (an init still running is waited for), unmapped, unlinked; then the
     * directory goes.
     */
    private void cleanup(String name) throws Failed {
        try {
            for (String file : mount.moduleFiles(name)) {
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
                log(name + ": cannot remove what an interrupted load left: " + LinuxErrno.strerror(e.errno));
                throw new Failed(e.errno);
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
                log(name + ": " + file + " is still " + status.get().state().word() + " after " + SETTLE_MILLIS / 1000 + " s");
                throw new Failed(LinuxErrno.EBUSY);
            }
            pause(10);
        }
    }

    private void checkpoint(String step) {
        if (step.equals(STOP_STEP)) {
            log("modfs loader: stopped after " + step);
            log.flush();
            while (true) {
                pause(60_000);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops the locks this run kept. */
    @Override
    public void close() {
        retained.values().forEach(InfoLock::close);
        retained.clear();
    }
}

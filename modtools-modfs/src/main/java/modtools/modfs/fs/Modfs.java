package modtools.modfs.fs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import modtools.contract.ModfsFiles;
import modtools.contract.ModuleName;
import modtools.contract.ModuleSymbols;
import modtools.contract.ModuleState;
import modtools.modfs.fuse.Attr;
import modtools.modfs.fuse.Caller;
import modtools.modfs.fuse.DirEntry;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.FuseFilesystem;
import modtools.modfs.fuse.Outcome;
import modtools.modfs.fuse.Owner;
import modtools.modfs.fuse.SetAttr;
import modtools.modfs.host.HostExports;
import modtools.modfs.host.Fault;
import modtools.modfs.host.HostLog;
import modtools.modfs.host.Oops;
import modtools.modfs.host.Taint;

/**
 * The modfs tree (docs/modfs.md): the root with {@code version},
 * {@code symbols}, {@code log} and one directory per module name; in each, {@code control},
 * {@code info} and the module files. One lock guards it all: every operation is short, and
 * the only long ones, a module's init and exit, run without it.
 */
public final class Modfs implements FuseFilesystem {
    private static final int NAME_MAX = 255;

    private final Owner owner;
    private final HostLog log;
    /**
     * Held for the filesystem's lifetime: modules call its functions by address, and JNA frees
     * the native stub of a callback (modfs_log) once nothing refers to it any more.
     */
    private final HostExports exports;
    private final Taint taint = new Taint();
    private final Map<Long, Node> nodes = new HashMap<>();
    private final Directory root;
    /** Modules in the order they went live; umount stops them in reverse. */
    private final List<ModuleFile> live = new ArrayList<>();
    private long nextId = ROOT;

    public Modfs(Owner owner, HostLog log, HostExports exports) {
        this.owner = owner;
        this.log = log;
        this.exports = exports;
        this.root = register(new Directory(nextId++, "", null));
        addHostFile(ModfsFiles.VERSION, new HostFile.Fixed((ModfsFiles.RELEASE + "\n").getBytes(StandardCharsets.ISO_8859_1)));
        byte[] hostSymbols = exports.render().getBytes(StandardCharsets.ISO_8859_1);
        addHostFile(ModfsFiles.SYMBOLS, new HostFile.Generated(() -> symbols(hostSymbols)));
        addHostFile(ModfsFiles.LOG, new HostFile.Log(log));
        addHostFile(ModfsFiles.TAINT, new HostFile.Tainted(taint));
    }

    private void addHostFile(String name, HostFile.Content content) {
        root.children.put(name, register(new HostFile(nextId++, content)));
    }

    private <N extends Node> N register(N node) {
        nodes.put(node.id, node);
        return node;
    }

    @Override
    public synchronized Outcome<Attr> lookup(long parent, String name) {
        Node p = nodes.get(parent);
        if (!(p instanceof Directory dir)) {
            return Outcome.failed(p == null ? Errno.ENOENT : Errno.ENOTDIR, "lookup in a non-directory");
        }
        Node child = dir.children.get(name);
        if (child == null) {
            return Outcome.failed(Errno.ENOENT, name + " does not exist");
        }
        if (child instanceof ControlFile c) {
            // A node of its own for every lookup: the kernel serializes writes to one inode, so a
            // command waiting for a blocked init would otherwise hold up every later command (and
            // echo's O_TRUNC) in that directory, where they should fail at once with EBUSY.
            child = register(new ControlFile(nextId++, c.dir));
            child.attached = false;
        }
        child.lookups++;
        return Outcome.done(attr(child));
    }

    @Override
    public synchronized void forget(long id, long count) {
        Node node = nodes.get(id);
        if (node != null && id != ROOT) {
            node.lookups -= count;
            if (node.lookups <= 0 && !node.attached) {
                nodes.remove(id);
            }
        }
    }

    @Override
    public synchronized Outcome<Attr> getattr(long id) {
        Node node = nodes.get(id);
        return node == null ? Outcome.failed(Errno.ENOENT, "no such node") : Outcome.done(attr(node));
    }

    @Override
    public synchronized Outcome<Attr> setattr(Caller caller, long id, SetAttr change) {
        Node node = nodes.get(id);
        if (node == null) {
            return Outcome.failed(Errno.ENOENT, "no such node");
        }
        if (change.changesMode() || change.changesOwner()) {
            return Outcome.failed(Errno.EPERM, "modes and owners are fixed");
        }
        if (change.changesSize()) {
            if (!owner.mayChange(caller)) {
                return Outcome.failed(Errno.EACCES, "only root and the owner may write");
            }
            Outcome<Void> resized = resize(node, change.size());
            if (resized instanceof Outcome.Failed<Void> f) {
                logFailure(node, "truncate", f);
                return f.cast();
            }
        }
        return Outcome.done(attr(node));
    }

    private Outcome<Void> resize(Node node, long size) {
        if (node instanceof ModuleFile m) {
            return m.truncate(size);
        }
        if (node instanceof InfoFile i) {
            return i.truncate(size);
        }
        if (node instanceof ControlFile) {
            // echo's O_TRUNC before a command: there is nothing to cut.
            return Outcome.done(null);
        }
        return node instanceof Directory ? Outcome.failed(Errno.EISDIR, "a directory")
                : Outcome.failed(Errno.EACCES, "read-only");
    }

    @Override
    public synchronized Outcome<Attr> mkdir(Caller caller, long parent, String name) {
        Node p = nodes.get(parent);
        if (!owner.mayChange(caller)) {
            return Outcome.failed(Errno.EACCES, "only root and the owner may claim a name");
        }
        if (!(p instanceof Directory dir) || !dir.isRoot()) {
            return Outcome.failed(Errno.EPERM, "module directories live in the root only");
        }
        Optional<String> bad = ModuleName.problem(name.getBytes(StandardCharsets.ISO_8859_1));
        if (bad.isPresent()) {
            log.add("modfs: mkdir '" + name + "': " + bad.get() + ": EINVAL");
            return Outcome.failed(Errno.EINVAL, bad.get());
        }
        Outcome<Void> free = freeName(dir, name);
        if (free instanceof Outcome.Failed<Void> f) {
            return f.cast();
        }
        Directory module = register(new Directory(nextId++, name, dir));
        module.children.put(ModfsFiles.CONTROL, register(new ControlFile(nextId++, module)));
        module.children.put(ModfsFiles.INFO, register(new InfoFile(nextId++)));
        dir.children.put(name, module);
        module.lookups++;
        return Outcome.done(attr(module));
    }

    @Override
    public synchronized Outcome<Attr> create(Caller caller, long parent, String name, boolean exclusive) {
        Node p = nodes.get(parent);
        if (!owner.mayChange(caller)) {
            return Outcome.failed(Errno.EACCES, "only root and the owner may create files");
        }
        if (!(p instanceof Directory dir) || dir.isRoot()) {
            return Outcome.failed(Errno.EPERM, "files are created in module directories only");
        }
        Node existing = dir.children.get(name);
        if (existing != null && !exclusive && !(existing instanceof Directory)) {
            existing.lookups++;
            return Outcome.done(attr(existing));
        }
        Outcome<Void> free = freeName(dir, name);
        if (free instanceof Outcome.Failed<Void> f) {
            return f.cast();
        }
        Node file = name.equals(ModfsFiles.KALLSYMS) ? register(new InfoFile(nextId++))
                : register(new ModuleFile(nextId++, dir.name + "/" + name, this, log));
        dir.children.put(name, file);
        file.lookups++;
        return Outcome.done(attr(file));
    }

    private static Outcome<Void> freeName(Directory dir, String name) {
        if (name.length() > NAME_MAX) {
            return Outcome.failed(Errno.ENAMETOOLONG, "names are at most " + NAME_MAX + " bytes");
        }
        return dir.children.containsKey(name) ? Outcome.failed(Errno.EEXIST, name + " exists") : Outcome.done(null);
    }

    @Override
    public synchronized Outcome<Void> unlink(Caller caller, long parent, String name) {
        if (!owner.mayChange(caller)) {
            return Outcome.failed(Errno.EACCES, "only root and the owner may remove files");
        }
        Node p = nodes.get(parent);
        Node child = p instanceof Directory dir ? dir.children.get(name) : null;
        if (child == null) {
            return Outcome.failed(Errno.ENOENT, name + " does not exist");
        }
        if (child instanceof Directory) {
            return Outcome.failed(Errno.EISDIR, name + " is a directory");
        }
        if (!(child instanceof ModuleFile m)) {
            return Outcome.failed(Errno.EPERM, name + " goes only with its directory");
        }
        if (m.state() != ModuleState.UNMAPPED) {
            Outcome<Void> busy = Outcome.failed(Errno.EBUSY, "mapped");
            logFailure(m, "unlink", (Outcome.Failed<Void>) busy);
            return busy;
        }
        detach((Directory) p, name);
        return Outcome.done(null);
    }

    @Override
    public synchronized Outcome<Void> rmdir(Caller caller, long parent, String name) {
        if (!owner.mayChange(caller)) {
            return Outcome.failed(Errno.EACCES, "only root and the owner may remove module directories");
        }
        Node p = nodes.get(parent);
        Node child = p instanceof Directory dir ? dir.children.get(name) : null;
        if (!(child instanceof Directory module)) {
            return Outcome.failed(child == null ? Errno.ENOENT : Errno.ENOTDIR, name + " is not a directory");
        }
        List<ModuleFile> files = moduleFiles(module);
        if (files.stream().anyMatch(f -> f.state() != ModuleState.UNMAPPED)) {
            return Outcome.failed(Errno.EBUSY, "a module file in " + name + " is mapped");
        }
        if (!files.isEmpty()) {
            return Outcome.failed(Errno.ENOTEMPTY, "module files remain in " + name);
        }
        for (String file : List.copyOf(module.children.keySet())) {
            detach(module, file);
        }
        detach((Directory) p, name);
        return Outcome.done(null);
    }

    @Override
    public synchronized Outcome<Void> open(Caller caller, long id, boolean forWriting) {
        Node node = nodes.get(id);
        if (node == null) {
            return Outcome.failed(Errno.ENOENT, "no such node");
        }
        if (forWriting && (node instanceof HostFile || node instanceof Directory)) {
            return Outcome.failed(node instanceof Directory ? Errno.EISDIR : Errno.EACCES, "read-only");
        }
        if (forWriting && !owner.mayChange(caller)) {
            return Outcome.failed(Errno.EACCES, "only root and the owner may write");
        }
        return Outcome.done(null);
    }

    @Override
    public Outcome<Void> mayLock(Caller caller) {
        return owner.mayChange(caller) ? Outcome.done(null)
                : Outcome.failed(Errno.EACCES, "only root and the owner may lock files");
    }

    @Override
    public synchronized Outcome<byte[]> read(Caller caller, long id, long offset, int size) {
        Node node = nodes.get(id);
        if (node == null) {
            return Outcome.failed(Errno.ENOENT, "no such node");
        }
        if (owner.mayChange(caller)) {
            return read(node, offset, size);
        }
        Outcome<byte[]> whole = read(node, 0, Integer.MAX_VALUE);
        return whole instanceof Outcome.Done<byte[]> d
                ? Outcome.done(slice(AddressHiding.hide(d.value()), offset, size)) : whole;
    }

    private Outcome<byte[]> read(Node node, long offset, int size) {
        if (node instanceof HostFile h) {
            return Outcome.done(h.read(offset, size));
        }
        if (node instanceof InfoFile i) {
            return Outcome.done(i.read(offset, size));
        }
        if (node instanceof ModuleFile m) {
            return Outcome.done(slice(m.status().text().getBytes(StandardCharsets.ISO_8859_1), offset, size));
        }
        if (node instanceof ControlFile c) {
            return Outcome.done(slice(controlStatus(c.dir), offset, size));
        }
        return Outcome.failed(Errno.EISDIR, "a directory");
    }

    /**
     * The root's {@code symbols}: the host's, then the symbols of each module whose module
     * file is live, from its {@code kallsyms}, each line tagged with the module's name as
     * /proc/kallsyms tags a module's; modules in the order they were made.
     */
    private byte[] symbols(byte[] host) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(host);
        List<Directory> modules = new ArrayList<>();
        for (Node n : root.children.values()) {
            if (n instanceof Directory d && moduleFiles(d).stream().anyMatch(f -> f.state() == ModuleState.LIVE)) {
                modules.add(d);
            }
        }
        modules.sort((a, b) -> Long.compare(a.id, b.id));
        for (Directory d : modules) {
            out.writeBytes(stillMapped(d, kallsyms(d)).tagged().getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    /** The symbols that lie in what the module files of {@code d} still hold (no init part once dropped). */
    private ModuleSymbols stillMapped(Directory d, ModuleSymbols symbols) {
        List<ModuleFile> files = moduleFiles(d);
        List<ModuleSymbols.Entry> kept = new ArrayList<>();
        for (ModuleSymbols.Entry e : symbols.entries()) {
            for (ModuleFile f : files) {
                if (Long.compareUnsigned(e.address() - f.address(), f.size()) < 0) {
                    kept.add(e);
                    break;
                }
            }
        }
        return new ModuleSymbols(symbols.module(), kept);
    }

    /** A module directory's {@code kallsyms}, as its loader wrote it; none if it wrote none. */
    private static ModuleSymbols kallsyms(Directory d) {
        Node file = d.children.get(ModfsFiles.KALLSYMS);
        String text = file instanceof InfoFile i ? new String(i.read(0, (int) i.size()), StandardCharsets.ISO_8859_1) : "";
        return ModuleSymbols.parse(d.name, text);
    }

    /** One line per module file: name, state, address, size. */
    private byte[] controlStatus(Directory dir) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Node> e : dir.children.entrySet()) {
            if (e.getValue() instanceof ModuleFile m) {
                out.append(m.status().listing(e.getKey()));
            }
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] slice(byte[] bytes, long offset, int size) {
        if (offset < 0 || offset >= bytes.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(bytes.length, offset + size));
    }

    @Override
    public synchronized CompletionStage<Outcome<Integer>> write(Caller caller, long id, long offset, ByteBuffer data) {
        Node node = nodes.get(id);
        if (!owner.mayChange(caller)) {
            return now(Outcome.failed(Errno.EACCES, "only root and the owner may write"));
        }
        if (node instanceof ModuleFile m) {
            Outcome<Integer> written = m.write(offset, data);
            if (written instanceof Outcome.Failed<Integer> f) {
                logFailure(m, "write", f);
            }
            return now(written);
        }
        if (node instanceof InfoFile i) {
            return now(i.write(offset, data));
        }
        if (node instanceof ControlFile c) {
            int length = data.remaining();
            byte[] text = new byte[length];
            data.get(text);
            return command(c.dir, new String(text, StandardCharsets.ISO_8859_1))
                    .thenApply(outcome -> outcome instanceof Outcome.Failed<Void> f ? f.<Integer>cast()
                            : Outcome.done(length));
        }
        return now(Outcome.failed(node == null ? Errno.ENOENT : Errno.EACCES, "not writable"));
    }

    /** Runs one control command; a failure is also written to the log with its reason. */
    private CompletionStage<Outcome<Void>> command(Directory dir, String text) {
        Outcome<ControlCommand> parsed = ControlCommand.parse(text);
        if (parsed instanceof Outcome.Failed<ControlCommand> f) {
            log.add("modfs: " + dir.name + "/control: " + f.why() + ": EINVAL");
            return now(f.cast());
        }
        ControlCommand command = ((Outcome.Done<ControlCommand>) parsed).value();
        Node target = dir.children.get(command.file());
        CompletionStage<Outcome<Void>> result;
        if (target == null) {
            result = now(Outcome.failed(Errno.ENOENT, "no module file " + command.file()));
        } else if (!(target instanceof ModuleFile m)) {
            result = now(Outcome.failed(Errno.EINVAL, command.file() + " is not a module file"));
        } else {
            result = switch (command.verb()) {
                case MAP -> now(m.map());
                case UNMAP -> now(m.unmap());
                case INIT -> m.init(() -> live.add(m));
                case EXIT -> m.exit(() -> live.remove(m));
            };
        }
        return result.thenApply(outcome -> {
            if (outcome instanceof Outcome.Failed<Void> f) {
                log.add("modfs: " + dir.name + "/" + command.file() + ": " + command.verb().word() + ": " + f.why()
                        + ": " + Errno.name(f.errno()));
            }
            return outcome;
        });
    }

    @Override
    public synchronized Outcome<List<DirEntry>> readdir(long id) {
        Node node = nodes.get(id);
        if (!(node instanceof Directory dir)) {
            return Outcome.failed(node == null ? Errno.ENOENT : Errno.ENOTDIR, "not a directory");
        }
        List<DirEntry> entries = new ArrayList<>();
        entries.add(new DirEntry(".", dir.id, true));
        entries.add(new DirEntry("..", dir.isRoot() ? dir.id : dir.parent.id, true));
        for (Map.Entry<String, Node> e : dir.children.entrySet()) {
            entries.add(new DirEntry(e.getKey(), e.getValue().id, e.getValue() instanceof Directory));
        }
        return Outcome.done(entries);
    }

    /**
     * Module code of {@code m} faulted in {@code where}; {@code m} is already {@code failed}.
     * The host is tainted, the oops goes to the log with the faulting instruction named by the
     * module's {@code kallsyms}, and the module leaves the live list, so umount does not run
     * its exit. Called under this lock.
     */
    void faulted(ModuleFile m, Fault fault, String where) {
        live.remove(m);
        int number = taint.oops();
        String module = m.path().substring(0, m.path().indexOf('/'));
        Node dir = root.children.get(module);
        ModuleSymbols symbols = dir instanceof Directory d ? kallsyms(d) : new ModuleSymbols(module, List.of());
        for (String line : Oops.lines(fault, number, module, where, symbols)) {
            log.add(line);
        }
        log.add("modfs: " + m.path() + ": " + where + " faulted (" + fault.signalName() + "): failed; its exit will "
                + "not run, unmap removes it");
        log.add("modfs: host tainted: D (a module faulted; taint " + new String(taint.render(),
                StandardCharsets.ISO_8859_1).strip() + ")");
    }

    /**
     * Stops the live modules in reverse load order, then unmaps every mapped module, waiting at
     * most {@code seconds} for each exit. What could not be stopped is logged and returned.
     */
    public List<String> shutdown(long seconds) {
        List<String> problems = new ArrayList<>();
        while (true) {
            ModuleFile last;
            CompletableFuture<Outcome<Void>> exit;
            synchronized (this) {
                if (live.isEmpty()) {
                    break;
                }
                last = live.remove(live.size() - 1);
                exit = last.exit(() -> { }).toCompletableFuture();
            }
            try {
                if (exit.get(seconds, TimeUnit.SECONDS) instanceof Outcome.Failed<Void> f) {
                    problems.add(last.path() + ": exit: " + f.why());
                }
            } catch (TimeoutException e) {
                problems.add(last.path() + ": exit did not return within " + seconds + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(last.path() + ": interrupted waiting for exit");
                break;
            } catch (ExecutionException e) {
                problems.add(last.path() + ": exit: " + e.getCause());
            }
        }
        synchronized (this) {
            for (Node node : List.copyOf(nodes.values())) {
                if (node instanceof ModuleFile m && m.state() != ModuleState.UNMAPPED
                        && m.unmap() instanceof Outcome.Failed<Void> f) {
                    problems.add(m.path() + ": unmap: " + f.why());
                }
            }
        }
        problems.forEach(p -> log.add("modfs: shutdown: " + p));
        return problems;
    }

    private void logFailure(Node node, String operation, Outcome.Failed<?> f) {
        if (node instanceof ModuleFile m) {
            log.add("modfs: " + m.path() + ": " + operation + ": " + f.why() + ": " + Errno.name(f.errno()));
        }
    }

    private List<ModuleFile> moduleFiles(Directory dir) {
        List<ModuleFile> files = new ArrayList<>();
        for (Node child : dir.children.values()) {
            if (child instanceof ModuleFile m) {
                files.add(m);
            }
        }
        return files;
    }

    private void detach(Directory dir, String name) {
        Node child = dir.children.remove(name);
        child.attached = false;
        if (child.lookups <= 0) {
            nodes.remove(child.id);
        }
    }

    private Attr attr(Node node) {
        int uid = owner.uid();
        int gid = owner.gid();
        if (node instanceof Directory d) {
            return new Attr(d.id, Attr.S_IFDIR | 0755, 2, 0, uid, gid);
        }
        if (node instanceof HostFile h) {
            return new Attr(h.id, Attr.S_IFREG | 0444, 1, h.size(), uid, gid);
        }
        long size = node instanceof ModuleFile m ? m.size()
                : node instanceof InfoFile i ? i.size() : controlStatus(((ControlFile) node).dir).length;
        return new Attr(node.id, Attr.S_IFREG | 0644, 1, size, uid, gid);
    }

    private static <T> CompletionStage<T> now(T value) {
        return CompletableFuture.completedFuture(value);
    }
}

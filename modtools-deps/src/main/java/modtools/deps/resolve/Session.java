package modtools.deps.resolve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import modtools.deps.LibkmodMessage;
import modtools.deps.config.Alias;
import modtools.deps.config.ModprobeConfig;
import modtools.deps.config.Softdep;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.resolve.ModuleIndexes.Kind;

/**
 * One top-level modprobe operation: libkmod's lookups and per-module facts, over a pool
 * that gives one {@link Module} object per name-and-alias pair (libkmod's hash of live
 * modules). Facts are read lazily and cached in the module, as libkmod does; where kmod
 * decides by the object rather than by the name, so do we.
 */
public final class Session {
    private final Resolver resolver;
    private final ModprobeConfig config;
    private final ModuleIndexes indexes;
    private final Map<String, Module> pool = new HashMap<>();

    Session(Resolver resolver) {
        this.resolver = resolver;
        this.config = resolver.config();
        this.indexes = resolver.indexes();
    }

    Resolver resolver() {
        return resolver;
    }

    // ------------------------------------------------------------------ lookup

    /**
     * kmod_module_new_from_lookup: the modules a name stands for, from the first source that
     * knows it — configuration aliases, modules.dep, symbol aliases, install and remove
     * commands, modules.alias, modules.builtin, modules.builtin.alias. An empty list means
     * nothing knows the name; an empty result means the name is not a valid alias at all
     * (an unbalanced bracket).
     */
    public Optional<List<Module>> lookup(String given) {
        Optional<String> normalized = AliasNormalizer.normalizeAlias(given);
        if (normalized.isEmpty()) {
            return Optional.empty();
        }
        String name = normalized.get();
        List<Module> found = fromConfigAliases(name);
        if (found.isEmpty()) {
            found = fromModuleDep(name);
        }
        if (found.isEmpty() && name.startsWith("symbol:")) {
            found = fromAliasIndex(Kind.SYMBOL, name);
        }
        if (found.isEmpty()) {
            found = fromCommands(name);
        }
        if (found.isEmpty()) {
            found = fromAliasIndex(Kind.ALIAS, name);
        }
        if (found.isEmpty()) {
            found = fromBuiltin(name);
        }
        if (found.isEmpty()) {
            found = fromAliasIndex(Kind.BUILTIN_ALIAS, name);
            found.forEach(m -> m.builtin = Module.Builtin.YES);
        }
        return Optional.of(found);
    }

    private List<Module> fromConfigAliases(String name) {
        List<Module> found = new ArrayList<>();
        for (Alias alias : config.aliasesMatching(name)) {
            found.add(byAlias(alias.pattern(), alias.module()));
        }
        return found;
    }

    private List<Module> fromModuleDep(String name) {
        // module names never contain ':', so kmod does not look
        if (name.indexOf(':') >= 0) {
            return List.of();
        }
        Optional<String> line = indexes.dependencyLine(name);
        if (line.isEmpty()) {
            return List.of();
        }
        Module module = byName(name);
        readDependencyLine(module, line.get());
        return List.of(module);
    }

    private List<Module> fromCommands(String name) {
        Optional<String> install = config.installCommandNamed(name);
        if (install.isPresent()) {
            Module module = byName(name);
            module.installCommand = install;
            return List.of(module);
        }
        Optional<String> remove = config.removeCommandNamed(name);
        if (remove.isPresent()) {
            Module module = byName(name);
            module.removeCommand = remove;
            return List.of(module);
        }
        return List.of();
    }

    private List<Module> fromAliasIndex(Kind kind, String name) {
        List<Module> found = new ArrayList<>();
        for (String module : indexes.names(kind, name).orElse(List.of())) {
            found.add(byAlias(name, module));
        }
        return found;
    }

    private List<Module> fromBuiltin(String name) {
        if (!indexes.isBuiltin(name)) {
            return List.of();
        }
        Module module = byName(name);
        module.builtin = Module.Builtin.YES;
        return List.of(module);
    }

    // ------------------------------------------------------------------ the pool

    /** kmod_module_new_from_name: the module of a name (normalised here), as rmmod and lsmod make them. */
    public Module byName(String name) {
        String key = AliasNormalizer.normalizeModname(name);
        return pool.computeIfAbsent(key, k -> new Module(k, null));
    }

    /** kmod_module_new_from_alias: the module as found by an alias; its name is taken as given. */
    private Module byAlias(String alias, String name) {
        return pool.computeIfAbsent(name + "\\" + alias, k -> new Module(name, alias));
    }

    /**
     * kmod_module_new_from_path: the module of a file, which must exist; the name comes
     * from the file name. Empty when the file is missing. {@code path} is absolute.
     */
    public Optional<Module> byPath(String path) {
        if (!Files.exists(Path.of(path))) {
            return Optional.empty();
        }
        Optional<String> name = AliasNormalizer.modnameOfPath(path);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Module module = pool.computeIfAbsent(name.get(), k -> new Module(k, null));
        if (module.path == null) {
            module.path = path;
        }
        module.builtin = Module.Builtin.NO;
        return Optional.of(module);
    }

    /** Every module object of this session: kmod clears its visit marks over all of them. */
    Iterable<Module> modules() {
        return pool.values();
    }

    // ------------------------------------------------------------------ facts

    /**
     * kmod_module_parse_depline: the file before the colon becomes the module's path (unless
     * known), the files after it its dependencies — kept in reverse order, as kmod prepends
     * each to its list. A dependency file that does not exist leaves the module without
     * dependencies and the line unread.
     */
    private void readDependencyLine(Module module, String line) {
        if (module.dependenciesRead) {
            return;
        }
        module.dependenciesRead = true;
        int colon = line.indexOf(':');
        if (colon < 0) {
            return;
        }
        String directory = indexes.directory() + "/";
        if (module.path == null) {
            module.path = join(directory, line.substring(0, colon));
        }
        List<Module> dependencies = new ArrayList<>();
        for (String word : line.substring(colon + 1).split("[ \t]+")) {
            if (word.isEmpty()) {
                continue;
            }
            String path = join(directory, word);
            Optional<Module> dependency = byPath(path);
            if (dependency.isEmpty()) {
                // kmod prints its context's address after "ctx="; the directory says more
                resolver.log().accept(LibkmodMessage.error("libkmod-module.c", 191, "kmod_module_parse_depline",
                        "ctx=" + indexes.directory() + " path=" + path + " error=No such file or directory"));
                module.dependenciesRead = false;
                return;
            }
            dependencies.add(0, dependency.get());
        }
        module.dependencies = List.copyOf(dependencies);
    }

    private static String join(String directory, String path) {
        return path.startsWith("/") ? path : directory + path;
    }

    /** The module's dependencies from modules.dep, nearest last (see {@link #readDependencyLine}). */
    public List<Module> dependencies(Module module) {
        if (!module.dependenciesRead) {
            indexes.dependencyLine(module.name()).ifPresent(line -> readDependencyLine(module, line));
        }
        return module.dependencies;
    }

    /** The module's file, from modules.dep. */
    public Optional<String> path(Module module) {
        if (module.path == null && !module.dependenciesRead) {
            indexes.dependencyLine(module.name()).ifPresent(line -> readDependencyLine(module, line));
        }
        return Optional.ofNullable(module.path);
    }

    /** Whether modules.builtin lists the module's name. */
    public boolean isBuiltin(Module module) {
        if (module.builtin == Module.Builtin.UNKNOWN) {
            module.builtin = indexes.isBuiltin(module.name()) ? Module.Builtin.YES : Module.Builtin.NO;
        }
        return module.builtin == Module.Builtin.YES;
    }

    /**
     * kmod_module_get_initstate: built in by modules.builtin, else what the kernel says; a
     * module directory without an initstate file is coming. Empty when the kernel does not
     * know the module.
     */
    public Optional<InitState> initstate(Module module) {
        if (isBuiltin(module)) {
            return Optional.of(InitState.BUILTIN);
        }
        KernelState kernel = resolver.kernel();
        Optional<String> text = kernel.initstate(module.name());
        if (text.isEmpty()) {
            return kernel.hasDirectory(module.name()) ? Optional.of(InitState.COMING) : Optional.empty();
        }
        switch (text.get()) {
            case "live\n":
                return Optional.of(InitState.LIVE);
            case "coming\n":
                return Optional.of(InitState.COMING);
            case "going\n":
                return Optional.of(InitState.GOING);
            default:
                resolver.log().accept(LibkmodMessage.error("libkmod-module.c", 1847, "kmod_module_get_initstate",
                        "unknown /sys/module/" + module.name() + "/initstate: '" + text.get() + "'"));
                return Optional.empty();
        }
    }

    /** Live or built in: what modprobe treats as already loaded. */
    public boolean isInKernel(Module module) {
        Optional<InitState> state = initstate(module);
        return state.isPresent() && (state.get() == InitState.LIVE || state.get() == InitState.BUILTIN);
    }

    /** kmod_module_get_refcnt: empty when the kernel does not say. */
    public OptionalInt refcnt(Module module) {
        Optional<String> text = resolver.kernel().refcnt(module.name());
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        String digits = text.get().strip();
        try {
            return OptionalInt.of((int) Long.parseLong(digits));
        } catch (NumberFormatException e) {
            resolver.log().accept(LibkmodMessage.error("libkmod-module.c", 1967, "kmod_module_get_refcnt",
                    "could not read integer from '/sys/module/" + module.name() + "/refcnt': '"
                            + LinuxErrno.strerror(LinuxErrno.EINVAL) + "'"));
            return OptionalInt.empty();
        }
    }

    /** kmod_module_get_holders: the modules that use this one; empty when they cannot be listed. */
    public Optional<List<Module>> holders(Module module) {
        Optional<List<String>> names = resolver.kernel().holders(module.name());
        if (names.isEmpty()) {
            resolver.log().accept(LibkmodMessage.error("libkmod-module.c", 1998, "kmod_module_get_holders",
                    "could not open '/sys/module/" + module.name() + "/holders': "
                            + LinuxErrno.strerror(LinuxErrno.ENOENT)));
            return Optional.empty();
        }
        return Optional.of(names.get().stream().map(this::byName).toList());
    }

    /** The options configured for the module, or for the alias it was found by. */
    public Optional<String> options(Module module) {
        if (module.options == null) {
            module.options = config.optionsFor(module.name(), module.aliasOrNull());
        }
        return module.options;
    }

    /** The install command that applies to the module (the first whose pattern matches). */
    public Optional<String> installCommand(Module module) {
        if (module.installCommand == null) {
            module.installCommand = config.installCommandFor(module.name());
        }
        return module.installCommand;
    }

    /** The remove command that applies to the module. */
    public Optional<String> removeCommand(Module module) {
        if (module.removeCommand == null) {
            module.removeCommand = config.removeCommandFor(module.name());
        }
        return module.removeCommand;
    }

    /**
     * kmod_module_get_softdeps: the first softdep line matching the module, each name looked
     * up in full (so one name may give several modules, or none).
     */
    public Softdeps softdeps(Module module) {
        Optional<Softdep> softdep = config.softdepFor(module.name());
        if (softdep.isEmpty()) {
            return new Softdeps(List.of(), List.of());
        }
        return new Softdeps(lookupAll(softdep.get().pre()), lookupAll(softdep.get().post()));
    }

    private List<Module> lookupAll(List<String> names) {
        List<Module> found = new ArrayList<>();
        for (String name : names) {
            Optional<List<Module>> modules = lookup(name);
            if (modules.isEmpty()) {
                resolver.log().accept(resolver.level().dependencyLookupFailure(name));
            } else {
                found.addAll(modules.get());
            }
        }
        return found;
    }

    public boolean isBlacklisted(Module module) {
        return config.isBlacklisted(module.name());
    }

    // ------------------------------------------------------------------ actions

    /**
     * kmod_module_remove_module: asks the backend to unload the module (never waiting for
     * users to go away). Answers 0 or the errno; the failure is logged unless {@code quiet}.
     */
    public int remove(Module module, boolean force, boolean quiet) {
        int errno = resolver.loader().remove(module.name(), force);
        if (errno != 0 && !quiet) {
            resolver.log().accept(LibkmodMessage.error("libkmod-module.c", 856, "kmod_module_remove_module",
                    "could not remove '" + module.name() + "': " + LinuxErrno.strerror(errno)));
        }
        return errno;
    }
}

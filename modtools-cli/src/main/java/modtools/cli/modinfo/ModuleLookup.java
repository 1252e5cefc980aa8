package modtools.cli.modinfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.deps.cache.ReadCache;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.index.IndexFile;
import modtools.deps.index.IndexFormatException;
import modtools.deps.index.IndexFile.Access;
import modtools.deps.index.IndexFile.IndexValue;

/**
 * Finds modules by name or alias through a module directory's binary indexes, in libkmod's
 * order: modules.dep, symbol aliases, modules.alias, modules.builtin, modules.builtin.alias.
 * modinfo reads them the way kmod's modinfo does, with the stdio reader, whose order among
 * values of equal priority differs from the mapped one.
 * The first source that knows the name answers; a missing index is skipped, as kmod does.
 * modinfo runs without modprobe.d configuration, so config aliases and install commands
 * never answer here.
 */
final class ModuleLookup {
    private final Path directory;
    private final ReadCache cache;
    private final Map<String, Optional<IndexFile>> opened = new HashMap<>();

    ModuleLookup(Path directory, ReadCache cache) {
        this.directory = directory;
        this.cache = cache;
    }

    private Optional<IndexFile> index(String file) throws IndexFormatException {
        Optional<IndexFile> index = opened.get(file);
        if (index == null) {
            index = IndexFile.open(directory.resolve(file), cache);
            opened.put(file, index);
        }
        return index;
    }

    Path directory() {
        return directory;
    }

    /** Every module an alias or name stands for; empty when nothing knows it. */
    List<Target> byAlias(String alias) throws IndexFormatException {
        List<Target> found = new ArrayList<>();
        Optional<Target> module = fromModuleDep(alias);
        if (module.isPresent()) {
            return List.of(module.get());
        }
        if (alias.startsWith("symbol:")) {
            found = fromAliasIndex("modules.symbols.bin", alias, false);
            if (!found.isEmpty()) {
                return found;
            }
        }
        found = fromAliasIndex("modules.alias.bin", alias, false);
        if (!found.isEmpty()) {
            return found;
        }
        Optional<Target> builtin = fromBuiltin(alias);
        if (builtin.isPresent()) {
            return List.of(builtin.get());
        }
        return fromAliasIndex("modules.builtin.alias.bin", alias, true);
    }

    /** A module by its name only (modinfo -m): modules.dep, then the builtin indexes. */
    Optional<Target> byName(String name) throws IndexFormatException {
        Optional<Target> module = fromModuleDep(name);
        if (module.isPresent()) {
            return module;
        }
        Optional<Target> builtin = fromBuiltin(name);
        if (builtin.isPresent()) {
            return builtin;
        }
        List<Target> aliased = fromAliasIndex("modules.builtin.alias.bin", name, true);
        return aliased.isEmpty() ? Optional.empty() : Optional.of(aliased.get(0));
    }

    private Optional<Target> fromModuleDep(String name) throws IndexFormatException {
        // Module names never contain ':'; kmod does not even look.
        if (name.indexOf(':') >= 0) {
            return Optional.empty();
        }
        // Plain ifs rather than Optional.map: every lambda costs startup time (scripts/bench-startup).
        Optional<String> path = modulePath(name);
        return path.isPresent() ? Optional.of(new Target.File(name, path.get())) : Optional.empty();
    }

    private Optional<Target> fromBuiltin(String name) throws IndexFormatException {
        Optional<IndexFile> index = index("modules.builtin.bin");
        if (index.isEmpty() || index.get().search(name, Access.STREAM).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Target.Builtin(name));
    }

    private List<Target> fromAliasIndex(String file, String alias, boolean builtin) throws IndexFormatException {
        Optional<IndexFile> index = index(file);
        if (index.isEmpty()) {
            return List.of();
        }
        List<Target> out = new ArrayList<>();
        for (IndexValue v : index.get().searchWild(alias, Access.STREAM)) {
            String name = v.value();
            Optional<String> path = builtin ? Optional.empty() : modulePath(name);
            // A module that modules.dep does not list has no file: kmod reports it as built in.
            out.add(path.isPresent() ? new Target.File(name, path.get()) : new Target.Builtin(name));
        }
        return out;
    }

    /** The file modules.dep gives for a module name, made absolute against the module directory. */
    private Optional<String> modulePath(String name) throws IndexFormatException {
        Optional<IndexFile> index = index("modules.dep.bin");
        if (index.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> line = index.get().search(name, Access.STREAM);
        if (line.isEmpty()) {
            return Optional.empty();
        }
        String text = line.get();
        int colon = text.indexOf(':');
        String path = colon < 0 ? text : text.substring(0, colon);
        return Optional.of(path.startsWith("/") ? path : directory + "/" + path);
    }

    static Optional<String> normalizeAlias(String alias) {
        return AliasNormalizer.normalizeAlias(alias);
    }

    static String normalizeName(String name) {
        return AliasNormalizer.normalizeModname(name);
    }
}

package modtools.deps.index;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code modprobe -R NAME} prints with an empty configuration, worked out from the five
 * indexes the way libkmod's kmod_module_new_from_lookup goes through them: the first lookup
 * that finds anything answers. Missing indexes are skipped.
 */
final class Lookup {
    private final Optional<IndexFile> dep;
    private final Optional<IndexFile> alias;
    private final Optional<IndexFile> symbols;
    private final Optional<IndexFile> builtin;
    private final Optional<IndexFile> builtinAlias;
    private final IndexFile.Access access;

    Lookup(Path dir, IndexFile.Access access) throws IndexFormatException {
        this.dep = openOrSkip(dir.resolve("modules.dep.bin"));
        this.alias = openOrSkip(dir.resolve("modules.alias.bin"));
        this.symbols = openOrSkip(dir.resolve("modules.symbols.bin"));
        this.builtin = openOrSkip(dir.resolve("modules.builtin.bin"));
        this.builtinAlias = openOrSkip(dir.resolve("modules.builtin.alias.bin"));
        this.access = access;
    }

    private static Optional<IndexFile> openOrSkip(Path p) {
        try {
            return IndexFile.open(p);
        } catch (IndexFormatException e) {
            return Optional.empty(); // kmod, too, treats an index it cannot open as absent
        }
    }

    List<String> resolve(String given) throws IndexFormatException {
        Optional<String> normalized = AliasNormalizer.normalizeAlias(given);
        if (normalized.isEmpty()) {
            return List.of();
        }
        String name = normalized.get();
        if (name.indexOf(':') < 0 && dep.isPresent() && dep.get().search(name, access).isPresent()) {
            return List.of(name);
        }
        if (name.startsWith("symbol:")) {
            List<String> found = values(symbols, name);
            if (!found.isEmpty()) {
                return found;
            }
        }
        List<String> found = values(alias, name);
        if (!found.isEmpty()) {
            return found;
        }
        if (builtin.isPresent() && builtin.get().search(name, access).isPresent()) {
            return List.of(name);
        }
        return values(builtinAlias, name);
    }

    private List<String> values(Optional<IndexFile> index, String key) throws IndexFormatException {
        List<String> out = new ArrayList<>();
        if (index.isPresent()) {
            for (IndexFile.IndexValue v : index.get().searchWild(key, access)) {
                out.add(v.value());
            }
        }
        return out;
    }
}

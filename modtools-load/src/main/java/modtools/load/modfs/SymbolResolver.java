package modtools.load.modfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.module.Import;
import modtools.load.info.ModuleInfo;

/**
 * The rules that decide, before anything is made, what a new module links against, as Linux
 * decides them: the host's symbols first (a module cannot shadow them), then the exports of
 * loaded modules, the first exporter of a name winning; GPL-only exports only for a
 * GPL-compatible license; a module that exports a name already exported is refused; an
 * unresolved weak import is left at 0.
 */
final class SymbolResolver {
    /** Linux's license_is_gpl_compatible. */
    static final Set<String> GPL_COMPATIBLE = Set.of("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
            "Dual MIT/GPL", "Dual MPL/GPL");
    private static final String GOT_SYMBOL = "_GLOBAL_OFFSET_TABLE_";

    private final Predicate<String> host;
    private final Map<String, String> owner = new HashMap<>();
    private final Map<String, Boolean> gplOnly = new HashMap<>();

    /** @param host whether the host defines a name */
    SymbolResolver(Predicate<String> host) {
        this.host = host;
    }

    /** A loaded module's exports, in the order the modules were loaded. */
    void loaded(String module, ModuleInfo info) {
        for (ModuleInfo.Export e : info.exports()) {
            if (owner.putIfAbsent(e.name(), module) == null) {
                gplOnly.put(e.name(), e.gpl());
            }
        }
    }

    /**
     * What the module needs from loaded modules: each provider in first-use order with the
     * symbols wanted from it, and the imports nobody may give it.
     */
    record Plan(Map<String, List<String>> providers, List<String> unknown) {
        List<String> dependencies() {
            return List.copyOf(providers.keySet());
        }
    }

    /** The plan for {@code object}; refused when it exports a name that is taken. */
    Plan plan(String name, String license, List<String> exports, List<Import> imports) throws Failed {
        for (String export : exports) {
            String holder = host.test(export) ? "kernel" : owner.get(export);
            if (holder != null) {
                throw new Failed(LinuxErrno.ENOEXEC,
                        name + ": exports duplicate symbol " + export + " (owned by " + holder + ")");
            }
        }
        boolean gpl = mayUseGplOnly(license);
        List<String> unknown = new ArrayList<>();
        Map<String, List<String>> providers = new LinkedHashMap<>();
        for (Import i : imports) {
            String symbol = i.symbol();
            if (symbol.equals(GOT_SYMBOL) || host.test(symbol)) {
                continue;
            }
            String provider = owner.get(symbol);
            if (provider == null || (gplOnly.get(symbol) && !gpl)) {
                if (!i.weak()) {
                    unknown.add(symbol);
                }
                continue;
            }
            providers.computeIfAbsent(provider, p -> new ArrayList<>()).add(symbol);
        }
        return new Plan(providers, unknown);
    }

    static boolean mayUseGplOnly(String license) {
        return GPL_COMPATIBLE.contains(license);
    }

    /** The kernel's line for each symbol that stayed unresolved, once each, and its errno. */
    static Failed unknownSymbols(String name, List<String> symbols) {
        List<String> lines = new ArrayList<>();
        for (String symbol : new LinkedHashSet<>(symbols)) {
            lines.add(name + ": Unknown symbol " + symbol + " (err -" + LinuxErrno.ENOENT + ")");
        }
        return new Failed(LinuxErrno.ENOENT, lines);
    }
}

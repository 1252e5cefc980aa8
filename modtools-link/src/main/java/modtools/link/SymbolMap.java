package modtools.link;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Names to addresses for the symbols an object imports, each with where it came from. Built
 * from the host's symbol file ({@link SymbolMaps}) and the exports of loaded modules; the first
 * definition of a name wins, so the host's symbols, added first, cannot be shadowed by a module.
 */
public final class SymbolMap {
    private final Map<String, Definition> byName;
    private final List<Definition> inOrder;

    private SymbolMap(Map<String, Definition> byName, List<Definition> inOrder) {
        this.byName = byName;
        this.inOrder = inOrder;
    }

    /** The definition of {@code name}, or null. */
    public Definition find(String name) {
        return byName.get(name);
    }

    public int size() {
        return inOrder.size();
    }

    /** Every definition, in the order they were added. */
    public List<Definition> definitions() {
        return Collections.unmodifiableList(inOrder);
    }

    public static final class Builder {
        private final Map<String, Definition> byName = new HashMap<>();
        private final List<Definition> inOrder = new ArrayList<>();

        /** Adds {@code d} unless its name is already defined; returns whether it was added. */
        public boolean define(Definition d) {
            if (byName.putIfAbsent(d.name(), d) != null) {
                return false;
            }
            inOrder.add(d);
            return true;
        }

        public Builder define(String name, long address, boolean function, Provider provider) {
            define(new Definition(name, address, function, provider));
            return this;
        }

        public Builder addAll(SymbolMap other) {
            for (Definition d : other.inOrder) {
                define(d);
            }
            return this;
        }

        public SymbolMap build() {
            return new SymbolMap(new HashMap<>(byName), new ArrayList<>(inOrder));
        }
    }
}

package modtools.deps.depmod;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every exported symbol depmod knows and who exports it: vmlinux's (from Module.symvers or
 * System.map, without an owner) and each module's. A later export of the same name replaces
 * the earlier one, as kmod's hash_add does.
 */
final class SymbolIndex {
    record Entry(String name, DepmodModule owner, long crc) {}

    private static final int KMOD_BUCKETS = 2048;
    private static final java.util.function.Function<Entry, String> NAME = new java.util.function.Function<>() {
        @Override
        public String apply(Entry e) {
            return e.name();
        }
    };

    private final Map<String, Entry> symbols = new HashMap<>(1 << 16);
    private final char prefix;
    private List<Entry> ordered;

    /** {@code prefix} is the architecture's symbol prefix (-P), or 0 for none. */
    SymbolIndex(char prefix) {
        this.prefix = prefix;
    }

    void add(String name, boolean prefixSkipped, long crc, DepmodModule owner) {
        String key = !prefixSkipped && prefix != 0 && !name.isEmpty() && name.charAt(0) == prefix ? name.substring(1) : name;
        symbols.put(key, new Entry(key, owner, crc));
        ordered = null;
    }

    Entry find(String name) {
        int from = 0;
        // PowerPC64 ELFv1 calls functions through ".name".
        if (name.startsWith(".")) {
            from = 1;
        }
        if (prefix != 0 && name.length() > from && name.charAt(from) == prefix) {
            from++;
        }
        return symbols.get(from == 0 ? name : name.substring(from));
    }

    /** The symbols that vmlinux provides without any file saying so. */
    void addKernelMagic() {
        // __this_module is made by the kernel's loader; s390 fakes the GOT symbol; PowerPC64
        // ELFv2's .TOC. plays the same part.
        add("__this_module", true, 0, null);
        add("_GLOBAL_OFFSET_TABLE_", true, 0, null);
        if (find("TOC.") == null) {
            add("TOC.", true, 0, null);
        }
    }

    /** The symbols in kmod's hash order; computed once, as both symbol outputs walk it. */
    synchronized List<Entry> inKmodOrder() {
        if (ordered == null) {
            ordered = KmodHashOrder.of(symbols.values(), NAME, KMOD_BUCKETS);
        }
        return ordered;
    }
}

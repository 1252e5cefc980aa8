package modtools.deps.depmod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The order in which kmod's hash table (shared/hash.c) hands out its entries: buckets in
 * index order, chosen by Paul Hsieh's SuperFastHash of the key, and inside a bucket the keys
 * sorted by strcmp. depmod writes modules.symbols in this order and builds its module list
 * from it, so copying kmod's bytes means copying this.
 */
public final class KmodHashOrder {
    private KmodHashOrder() {}

    /** Items ordered as a kmod hash of {@code buckets} (a power of two) would iterate them. */
    public static <T> List<T> of(Collection<T> items, Function<T, String> key, int buckets) {
        // Distribute into buckets, then sort each (small) bucket: cheaper than one big sort.
        @SuppressWarnings("unchecked")
        List<Keyed<T>>[] table = new List[buckets];
        for (T item : items) {
            String k = key.apply(item);
            int b = superFastHash(k) & (buckets - 1);
            if (table[b] == null) {
                table[b] = new ArrayList<>(4);
            }
            table[b].add(new Keyed<>(k, item));
        }
        List<T> out = new ArrayList<>(items.size());
        for (List<Keyed<T>> bucket : table) {
            if (bucket == null) {
                continue;
            }
            if (bucket.size() > 1) {
                // String.compareTo on ISO-8859-1 text orders as strcmp does on the bytes.
                bucket.sort(Keyed.BY_KEY);
            }
            for (Keyed<T> k : bucket) {
                out.add(k.item());
            }
        }
        return out;
    }

    private record Keyed<T>(String key, T item) {
        @SuppressWarnings("rawtypes")
        static final Comparator<Keyed> BY_KEY = new Comparator<>() {
            @Override
            public int compare(Keyed a, Keyed b) {
                return a.key.compareTo(b.key);
            }
        };
    }

    /** hash_superfast() over the key's bytes, with C's signed char where kmod reads single bytes. */
    static int superFastHash(String key) {
        int len = key.length();
        int hash = len;
        int rem = len & 3;
        int i = 0;
        for (int blocks = len / 4; blocks > 0; blocks--) {
            hash += u16(key, i);
            int tmp = (u16(key, i + 2) << 11) ^ hash;
            hash = (hash << 16) ^ tmp;
            i += 4;
            hash += hash >>> 11;
        }
        switch (rem) {
            case 3 -> {
                hash += u16(key, i);
                hash ^= hash << 16;
                hash ^= ((byte) key.charAt(i + 2)) << 18;
                hash += hash >>> 11;
            }
            case 2 -> {
                hash += u16(key, i);
                hash ^= hash << 11;
                hash += hash >>> 17;
            }
            case 1 -> {
                hash += (byte) key.charAt(i);
                hash ^= hash << 10;
                hash += hash >>> 1;
            }
            default -> { }
        }
        hash ^= hash << 3;
        hash += hash >>> 5;
        hash ^= hash << 4;
        hash += hash >>> 17;
        hash ^= hash << 25;
        hash += hash >>> 6;
        return hash;
    }

    /** An unaligned little-endian 16-bit load, as get_unaligned() does on x86. */
    private static int u16(String s, int at) {
        return (s.charAt(at) & 0xff) | ((s.charAt(at + 1) & 0xff) << 8);
    }
}

package modtools.deps.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import modtools.deps.cache.ReadCache;

/**
 * A kmod binary index ({@code modules.dep.bin}, {@code modules.alias.bin},
 * {@code modules.symbols.bin}, {@code modules.builtin.bin}, {@code modules.builtin.alias.bin}),
 * read from a memory-mapped file the way kmod 30's libkmod-index.c reads it.
 *
 * <p>The format: big-endian u32 magic {@code 0xB007F457}, version {@code 0x0002xxxx} (kmod
 * checks the major half only), and the root node's offset word. An offset word carries flags
 * in its top nibble ({@code 0x80000000} prefix, {@code 0x40000000} values, {@code 0x20000000}
 * children) and the node offset in the low 28 bits; 0 means no node. A node holds, as its
 * flags say: a NUL-terminated prefix; {@code u8 first, u8 last} and {@code last-first+1}
 * child offset words; a u32 value count and per value a u32 priority and a NUL-terminated
 * string. Together the prefixes and child characters spell the keys of a Patricia trie.
 *
 * <p>Keys and values are byte strings: values are decoded as ISO-8859-1, and keys are encoded
 * as ISO-8859-1 (a key with a character above U+00FF cannot have come from ISO-8859-1
 * decoding and is encoded as UTF-8 instead). A key ends at its first NUL, as a C string.
 *
 * <p>Nothing is read until a lookup needs it, and every read is checked: a corrupt file gives
 * {@link IndexFormatException} naming the file, the offset and the problem. Lookups are
 * iterative and bounded: a node reached twice within one walk is a loop, and no lookup reads
 * more than a few times the file's size however the nodes overlap. An instance is immutable;
 * lookups may run concurrently.
 */
public final class IndexFile {
    public static final int MAGIC = 0xB007F457;
    public static final int VERSION = 0x00020001;
    private static final int HEADER_SIZE = 12;
    private static final int ROOT_WORD_AT = 8;
    private static final int HAS_PREFIX = 0x80000000;
    private static final int HAS_VALUES = 0x40000000;
    private static final int HAS_CHILDREN = 0x20000000;
    private static final int OFFSET_MASK = 0x0FFFFFFF;
    private static final int CHILD_LIMIT = 128;
    /** The smallest a value takes on disk: its priority and the NUL of an empty string. */
    private static final int MIN_VALUE_SIZE = 5;

    /**
     * One value of a key. {@code priority} holds the u32 from the file (compare it with
     * {@link Integer#compareUnsigned}); depmod writes the module's position in module order,
     * or 0.
     */
    public record IndexValue(int priority, String value) {}

    /** One key with one of its values, as {@link #entries()} lists them. */
    public record Entry(String key, int priority, String value) {}

    /**
     * The two readers of kmod 30, which order values of equal priority differently.
     * {@link #MAPPED} is index_mm_*, used after kmod_load_resources: modprobe calls it, and
     * it succeeds when modules.dep.bin, modules.alias.bin, modules.symbols.bin and
     * modules.builtin.bin all open (modules.builtin.alias.bin is optional and, if it fails,
     * alone falls back). {@link #STREAM} is the stdio reader index_*: modinfo always, and
     * modprobe for every index once one of those four failed to open, for example the empty
     * modules.builtin.bin depmod writes when modules.builtin is missing.
     */
    public enum Access {
        /** A node's values in file order; search gives the first value in the file. */
        MAPPED,
        /**
         * A node's values re-sorted by priority as they are read, so ties come in reverse
         * file order; search gives the lowest priority, and of those the last in the file.
         */
        STREAM
    }

    private final String name;
    private final ByteBuffer bytes;
    private final int size;
    private final int version;
    private final int rootWord;

    private IndexFile(String name, ByteBuffer bytes, int version, int rootWord) {
        this.name = name;
        this.bytes = bytes;
        this.size = bytes.capacity();
        this.version = version;
        this.rootWord = rootWord;
    }

    /**
     * Maps the index at path and checks its header. Empty when the file does not exist
     * (kmod then skips the lookup); an unreadable file, a short one, or a bad magic or major
     * version is an {@link IndexFormatException}.
     */
    public static Optional<IndexFile> open(Path path) throws IndexFormatException {
        String name = path.toString();
        ByteBuffer map;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long length = channel.size();
            if (length < HEADER_SIZE) {
                throw new IndexFormatException(name, 0, "file of " + length + " bytes is too short for the "
                        + HEADER_SIZE + "-byte index header");
            }
            if (length > Integer.MAX_VALUE) {
                throw new IndexFormatException(name, 0, "file of " + length + " bytes is too large for an index");
            }
            map = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            throw new IndexFormatException(name, 0, "cannot read the file: permission denied", e);
        } catch (IOException e) {
            throw new IndexFormatException(name, 0, "cannot read the file: " + e.getMessage(), e);
        }
        map.order(ByteOrder.BIG_ENDIAN);
        int magic = map.getInt(0);
        if (magic != MAGIC) {
            throw new IndexFormatException(name, 0, String.format("bad magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int version = map.getInt(4);
        if (version >>> 16 != VERSION >>> 16) {
            throw new IndexFormatException(name, 4, String.format("unsupported version 0x%08x, expected major %d",
                    version, VERSION >>> 16));
        }
        return Optional.of(new IndexFile(name, map, version, map.getInt(ROOT_WORD_AT)));
    }

    /** What opening an index gave: the index (empty: no such file), or why it cannot be read. */
    private record Opened(Optional<IndexFile> index, IndexFormatException failure) {}

    private record OpenedKey(Path path) {}

    /**
     * {@link #open(Path)} through {@code cache}: an index kept while its file stays the same, so
     * a resident process maps it once, not on every call. A file that cannot be read is tried
     * again next time.
     */
    public static Optional<IndexFile> open(Path path, ReadCache cache) throws IndexFormatException {
        Opened opened = cache.get(new OpenedKey(path), () -> {
            try {
                Optional<IndexFile> index = open(path);
                return new ReadCache.Kept<>(new Opened(index, null), List.of(path),
                        index.isPresent() ? index.get().size : 0);
            } catch (IndexFormatException e) {
                return ReadCache.Kept.once(new Opened(Optional.empty(), e));
            }
        });
        if (opened.failure() != null) {
            throw opened.failure();
        }
        return opened.index();
    }

    /** The file name the index was opened with (as messages name it). */
    public String name() { return name; }

    /** The version word from the header (kmod accepts any minor version). */
    public int version() { return version; }

    /** The file's size in bytes. */
    public int size() { return size; }

    @Override
    public String toString() {
        return "IndexFile[" + name + "]";
    }

    // ---------------------------------------------------------------- lookups

    /** Exact lookup as modprobe makes it (index_mm_search): the key's first value, if any. */
    public Optional<String> search(String key) throws IndexFormatException {
        return search(key, Access.MAPPED);
    }

    /** Exact lookup with the chosen reader's idea of the first value. */
    public Optional<String> search(String key, Access access) throws IndexFormatException {
        byte[] k = keyBytes(key);
        Walk walk = new Walk(size);
        Set<Integer> path = new HashSet<>();
        Node node = walk.node(rootWord, ROOT_WORD_AT);
        int i = 0;
        while (node != null) {
            if (!path.add(node.offset)) {
                throw loop(node.offset);
            }
            for (int j = 0; j < node.prefixLength; j++) {
                if (prefixByte(node, j) != byteAt(k, i + j)) {
                    return Optional.empty();
                }
            }
            i += node.prefixLength;
            if (i == k.length) {
                List<IndexValue> values = walk.values(node, access);
                return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0).value());
            }
            node = walk.child(node, k[i] & 0xff);
            i++;
        }
        return Optional.empty();
    }

    /**
     * Wildcard lookup as modprobe makes it (index_mm_searchwild): the keys stored in the
     * index are fnmatch patterns, and the result holds the values of every key that matches
     * the given one, ordered by priority; values of equal priority come in the reverse of
     * the order kmod met them (kmod's add_value puts each new value first among its equals).
     */
    public List<IndexValue> searchWild(String key) throws IndexFormatException {
        return searchWild(key, Access.MAPPED);
    }

    /** Wildcard lookup with the chosen reader's order of equal-priority values. */
    public List<IndexValue> searchWild(String key, Access access) throws IndexFormatException {
        byte[] k = keyBytes(key);
        int wildcards = 0;
        for (byte b : k) {
            if (isWildcard(b & 0xff)) {
                wildcards++;
            }
        }
        // In a well-formed trie a node is met by at most wildcards + 3 of the walks below.
        Walk walk = new Walk((wildcards + 3L) * size);
        List<IndexValue> met = new ArrayList<>();
        Set<Integer> path = new HashSet<>();
        Node node = walk.node(rootWord, ROOT_WORD_AT);
        int i = 0;
        descend:
        while (node != null) {
            if (!path.add(node.offset)) {
                throw loop(node.offset);
            }
            for (int j = 0; j < node.prefixLength; j++) {
                int ch = prefixByte(node, j);
                if (isWildcard(ch)) {
                    matchSubtree(walk, node, j, -1, k, i + j, access, met);
                    break descend;
                }
                if (ch != byteAt(k, i + j)) {
                    break descend;
                }
            }
            i += node.prefixLength;
            for (int wildcard : new int[] {'*', '?', '['}) {
                Node child = walk.child(node, wildcard);
                if (child != null) {
                    matchSubtree(walk, child, 0, wildcard, k, i, access, met);
                }
            }
            if (i == k.length) {
                met.addAll(walk.values(node, access));
                break;
            }
            node = walk.child(node, k[i] & 0xff);
            i++;
        }
        return priorityOrder(met);
    }

    /**
     * kmod's index_searchwild__all: walks the subtree of start in child order, children
     * before their parent, and collects the values of every node whose pattern (lead, the
     * start's prefix from j on, and everything below) matches the key from subkeyFrom on.
     */
    private void matchSubtree(Walk walk, Node start, int j, int lead, byte[] key, int subkeyFrom, Access access,
                              List<IndexValue> met) throws IndexFormatException {
        byte[] subkey = Arrays.copyOfRange(key, subkeyFrom, key.length);
        Set<Integer> seen = new HashSet<>();
        seen.add(start.offset);
        Bytes pattern = new Bytes();
        if (lead >= 0) {
            pattern.add(lead);
        }
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(start, pattern.length));
        appendPrefix(pattern, start, j);
        while (!stack.isEmpty()) {
            Frame top = stack.peek();
            Node child = top.nextChild(walk);
            int ch = top.ch;
            if (child != null) {
                if (!seen.add(child.offset)) {
                    throw loop(child.offset);
                }
                stack.push(new Frame(child, pattern.length));
                pattern.add(ch);
                appendPrefix(pattern, child, 0);
                continue;
            }
            stack.pop();
            if (top.node.valueCount != 0 && Fnmatch.matches(pattern.toArray(), subkey)) {
                met.addAll(walk.values(top.node, access));
            }
            pattern.length = top.mark;
        }
    }

    /**
     * Every key with every value, in the order kmod's mapped index dump lists them: a node's
     * values (in file order) before its children, children by character.
     */
    public List<Entry> entries() throws IndexFormatException {
        return entries(Access.MAPPED);
    }

    /** As {@link #entries()}, with a node's values in the order the chosen reader holds them. */
    public List<Entry> entries(Access access) throws IndexFormatException {
        Walk walk = new Walk(size);
        List<Entry> out = new ArrayList<>();
        Node root = walk.node(rootWord, ROOT_WORD_AT);
        if (root == null) {
            return out;
        }
        Set<Integer> seen = new HashSet<>();
        seen.add(root.offset);
        Bytes key = new Bytes();
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root, 0));
        appendPrefix(key, root, 0);
        addEntries(walk, root, key, access, out);
        while (!stack.isEmpty()) {
            Frame top = stack.peek();
            Node child = top.nextChild(walk);
            int ch = top.ch;
            if (child == null) {
                stack.pop();
                key.length = top.mark;
                continue;
            }
            if (!seen.add(child.offset)) {
                throw loop(child.offset);
            }
            stack.push(new Frame(child, key.length));
            key.add(ch);
            appendPrefix(key, child, 0);
            addEntries(walk, child, key, access, out);
        }
        return out;
    }

    private void addEntries(Walk walk, Node node, Bytes key, Access access, List<Entry> out)
            throws IndexFormatException {
        if (node.valueCount == 0) {
            return;
        }
        String k = new String(key.toArray(), StandardCharsets.ISO_8859_1);
        for (IndexValue v : walk.values(node, access)) {
            out.add(new Entry(k, v.priority(), v.value()));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static boolean isWildcard(int ch) {
        return ch == '*' || ch == '?' || ch == '[';
    }

    /** Sorted by priority (unsigned), equal priorities in the reverse of the order met. */
    private static List<IndexValue> priorityOrder(List<IndexValue> met) {
        List<IndexValue> out = new ArrayList<>(met);
        Collections.reverse(out);
        out.sort((a, b) -> Integer.compareUnsigned(a.priority(), b.priority())); // stable
        return out;
    }

    static byte[] keyBytes(String key) {
        boolean latin1 = key.chars().allMatch(c -> c <= 0xff);
        byte[] b = key.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return Arrays.copyOf(b, i);
            }
        }
        return b;
    }

    private static int byteAt(byte[] b, int i) {
        return i < b.length ? b[i] & 0xff : 0;
    }

    private int prefixByte(Node node, int j) {
        return bytes.get(node.prefixAt + j) & 0xff;
    }

    private void appendPrefix(Bytes to, Node node, int from) {
        for (int j = from; j < node.prefixLength; j++) {
            to.add(prefixByte(node, j));
        }
    }

    private IndexFormatException error(long offset, String problem) {
        return new IndexFormatException(name, offset, problem);
    }

    private IndexFormatException loop(int offset) {
        return error(offset, "node reached twice in one walk: the nodes form a loop or share a child");
    }

    /** A parsed node header; values are read when needed. */
    private static final class Node {
        final int offset;
        int prefixAt;
        int prefixLength;
        int first = 1;
        int last = 0;
        int childrenAt;
        int valueCount;
        int valuesAt;

        Node(int offset) {
            this.offset = offset;
        }
    }

    private static final class Frame {
        final Node node;
        final int mark;
        int next;
        int ch;

        Frame(Node node, int mark) {
            this.node = node;
            this.mark = mark;
            this.next = node.first;
        }

        /** The next child present after the last one taken, or null; its character is left in {@link #ch}. */
        Node nextChild(Walk walk) throws IndexFormatException {
            while (next <= node.last) {
                ch = next++;
                Node child = walk.child(node, ch);
                if (child != null) {
                    return child;
                }
            }
            return null;
        }
    }

    /** A growable byte string. */
    private static final class Bytes {
        byte[] data = new byte[64];
        int length;

        void add(int b) {
            if (length == data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[length++] = (byte) b;
        }

        byte[] toArray() {
            return Arrays.copyOf(data, length);
        }
    }

    /** One lookup's reads: bounds-checked, and all together limited to a byte budget. */
    private final class Walk {
        private long budget;

        Walk(long budget) {
            this.budget = budget;
        }

        private void spend(long n, long at) throws IndexFormatException {
            budget -= n;
            if (budget < 0) {
                throw error(at, "a lookup read more than the file holds: nodes overlap or are shared");
            }
        }

        private void require(long at, long length, String what) throws IndexFormatException {
            if (at + length > size) {
                throw error(at, what + " (" + length + " bytes) runs past the end of the file (" + size + " bytes)");
            }
        }

        /** The length of the NUL-terminated string at at. */
        private int stringLength(int at, String what) throws IndexFormatException {
            long limit = Math.min(size, at + budget);
            for (int i = at; i < limit; i++) {
                if (bytes.get(i) == 0) {
                    spend(i - at + 1L, at);
                    return i - at;
                }
            }
            if (limit == size) {
                throw error(at, what + " is not terminated before the end of the file");
            }
            spend(limit - at + 1, at);
            throw new AssertionError("unreachable");
        }

        /** The node an offset word names, or null for none; from is where the word was read. */
        Node node(int word, int from) throws IndexFormatException {
            int offset = word & OFFSET_MASK;
            if (offset == 0) {
                return null;
            }
            if (offset < HEADER_SIZE) {
                throw error(from, String.format("node offset 0x%x points into the header", offset));
            }
            // A node without flags occupies no bytes: an empty index's root sits at the very end.
            if (offset > size) {
                throw error(from, String.format("node offset 0x%x is beyond the end of the file (%d bytes)",
                        offset, size));
            }
            Node node = new Node(offset);
            int p = offset;
            if ((word & HAS_PREFIX) != 0) {
                node.prefixAt = p;
                node.prefixLength = stringLength(p, "node prefix");
                p += node.prefixLength + 1;
            }
            if ((word & HAS_CHILDREN) != 0) {
                require(p, 2, "child range");
                int first = bytes.get(p) & 0xff;
                int last = bytes.get(p + 1) & 0xff;
                if (first > last) {
                    throw error(p, String.format("child range 0x%02x..0x%02x is out of order", first, last));
                }
                if (first == 0 || last >= CHILD_LIMIT) {
                    throw error(p, String.format("child range 0x%02x..0x%02x is outside 0x01..0x7f", first, last));
                }
                int count = last - first + 1;
                require(p + 2L, 4L * count, "child offsets");
                spend(2 + 4L * count, p);
                node.first = first;
                node.last = last;
                node.childrenAt = p + 2;
                p += 2 + 4 * count;
            }
            if ((word & HAS_VALUES) != 0) {
                require(p, 4, "value count");
                spend(4, p);
                int count = bytes.getInt(p);
                long room = (size - (p + 4L)) / MIN_VALUE_SIZE;
                if (Integer.toUnsignedLong(count) > room) {
                    throw error(p, "value count " + Integer.toUnsignedString(count) + " does not fit in the file");
                }
                node.valueCount = count;
                node.valuesAt = p + 4;
            }
            return node;
        }

        /** The child under character ch, or null. */
        Node child(Node parent, int ch) throws IndexFormatException {
            if (ch < parent.first || ch > parent.last) {
                return null;
            }
            int at = parent.childrenAt + 4 * (ch - parent.first);
            return node(bytes.getInt(at), at);
        }

        /** The node's values in the order the chosen reader holds them. */
        List<IndexValue> values(Node node, Access access) throws IndexFormatException {
            List<IndexValue> values = new ArrayList<>(node.valueCount);
            int p = node.valuesAt;
            for (int i = 0; i < node.valueCount; i++) {
                require(p, 4, "value priority");
                spend(4, p);
                int priority = bytes.getInt(p);
                p += 4;
                int length = stringLength(p, "value");
                byte[] text = new byte[length];
                bytes.get(p, text);
                p += length + 1;
                values.add(new IndexValue(priority, new String(text, StandardCharsets.ISO_8859_1)));
            }
            return access == Access.STREAM ? priorityOrder(values) : values;
        }
    }
}

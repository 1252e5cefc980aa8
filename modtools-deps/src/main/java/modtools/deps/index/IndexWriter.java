package modtools.deps.index;

import java.util.Arrays;

/**
 * Builds kmod's binary index (a Patricia trie over 7-bit ASCII keys) and writes it in either
 * node order kmod has used: children before their parent (kmod up to 33, the default) or
 * parent first (kmod 34 on). The trie's shape depends only on the key set; values keep kmod's
 * order: ascending priority, the most recently inserted first among equal priorities.
 */
public final class IndexWriter {
    /** Which node order to write; readers accept both. */
    public enum Order { CHILDREN_FIRST, PARENT_FIRST }

    private static final int CHILD_MAX = 128;
    private static final int PREFIX = 0x80000000;
    private static final int VALUES = 0x40000000;
    private static final int CHILDREN = 0x20000000;
    private static final int HEADER_SIZE = 12;

    private static final class Value {
        final String text;
        final int priority;
        Value next;

        Value(String text, int priority) {
            this.text = text;
            this.priority = priority;
        }
    }

    private static final class Node {
        String prefix;
        Value values;
        int first = CHILD_MAX;
        int last;
        /** Children first..last, at [c - first]: most nodes have one or two, not 128. */
        Node[] children;
        int size;
        int total;

        Node(String prefix) {
            this.prefix = prefix;
        }

        boolean hasChildren() {
            return first < CHILD_MAX;
        }

        Node child(int c) {
            return c < first || c > last ? null : children[c - first];
        }

        void setChild(int c, Node n) {
            if (!hasChildren()) {
                children = new Node[] {n};
                first = c;
                last = c;
                return;
            }
            int newFirst = Math.min(first, c);
            int newLast = Math.max(last, c);
            if (newFirst != first || newLast != last) {
                Node[] grown = new Node[newLast - newFirst + 1];
                System.arraycopy(children, 0, grown, first - newFirst, last - first + 1);
                children = grown;
                first = newFirst;
                last = newLast;
            }
            children[c - first] = n;
        }

        int flags() {
            return (prefix.isEmpty() ? 0 : PREFIX) | (values == null ? 0 : VALUES) | (hasChildren() ? CHILDREN : 0);
        }
    }

    private final Node root = new Node("");

    /**
     * Adds a value under a key; true when the key already held the same value (kmod's depmod
     * warns about such duplicates with -w).
     */
    public boolean insert(String key, String value, int priority) {
        checkAscii(key);
        checkAscii(value);
        Node node = root;
        int i = 0;
        while (true) {
            String prefix = node.prefix;
            for (int j = 0; j < prefix.length(); j++) {
                char ch = prefix.charAt(j);
                if (i + j >= key.length() || key.charAt(i + j) != ch) {
                    split(node, j);
                    break;
                }
            }
            i += node.prefix.length();
            if (i == key.length()) {
                return addValue(node, value, priority);
            }
            int ch = key.charAt(i);
            Node child = node.child(ch);
            if (child == null) {
                child = new Node(key.substring(i + 1));
                addValue(child, value, priority);
                node.setChild(ch, child);
                return false;
            }
            node = child;
            i++;
        }
    }

    /** Splits {@code node} at prefix[j]: it keeps prefix[0..j) and its old self becomes the child at prefix[j]. */
    private static void split(Node node, int j) {
        Node tail = new Node(node.prefix.substring(j + 1));
        tail.values = node.values;
        tail.first = node.first;
        tail.last = node.last;
        tail.children = node.children;
        int ch = node.prefix.charAt(j);
        node.prefix = node.prefix.substring(0, j);
        node.values = null;
        node.children = null;
        node.first = CHILD_MAX;
        node.last = 0;
        node.setChild(ch, tail);
    }

    private static boolean addValue(Node node, String text, int priority) {
        boolean duplicate = false;
        for (Value v = node.values; v != null; v = v.next) {
            duplicate |= v.text.equals(text);
        }
        Value fresh = new Value(text, priority);
        if (node.values == null || node.values.priority >= priority) {
            fresh.next = node.values;
            node.values = fresh;
            return duplicate;
        }
        Value at = node.values;
        while (at.next != null && at.next.priority < priority) {
            at = at.next;
        }
        fresh.next = at.next;
        at.next = fresh;
        return duplicate;
    }

    private static void checkAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= CHILD_MAX) {
                throw new IllegalArgumentException(String.format(
                        "Module index: bad character '%c'=0x%x - only 7-bit ASCII is supported:%n%s",
                        s.charAt(i), (int) s.charAt(i), s));
            }
        }
    }

    public byte[] write(Order order) {
        Out out = new Out();
        out.u32(IndexFile.MAGIC);
        out.u32(IndexFile.VERSION);
        if (order == Order.CHILDREN_FIRST) {
            out.u32(0);
            int rootOffset = writeChildrenFirst(root, out);
            out.patch(8, rootOffset);
        } else {
            measure(root);
            out.u32(HEADER_SIZE | root.flags());
            writeParentFirst(root, out, HEADER_SIZE);
        }
        return out.toByteArray();
    }

    private int writeChildrenFirst(Node node, Out out) {
        int[] childOffsets = null;
        if (node.hasChildren()) {
            childOffsets = new int[node.last - node.first + 1];
            for (int i = 0; i < childOffsets.length; i++) {
                Node child = node.children[i];
                childOffsets[i] = child == null ? 0 : writeChildrenFirst(child, out);
            }
        }
        int offset = out.size();
        writeBody(node, childOffsets, out);
        return offset | node.flags();
    }

    /** Sizes of each node's own record and of its whole subtree, for writing parents first. */
    private static void measure(Node node) {
        int size = node.prefix.isEmpty() ? 0 : node.prefix.length() + 1;
        if (node.hasChildren()) {
            size += 2 + 4 * (node.last - node.first + 1);
        }
        if (node.values != null) {
            size += 4;
            for (Value v = node.values; v != null; v = v.next) {
                size += 4 + v.text.length() + 1;
            }
        }
        node.size = size;
        node.total = size;
        if (node.hasChildren()) {
            for (int c = node.first; c <= node.last; c++) {
                Node child = node.child(c);
                if (child != null) {
                    measure(child);
                    node.total += child.total;
                }
            }
        }
    }

    private void writeParentFirst(Node node, Out out, int offset) {
        int[] childOffsets = null;
        if (node.hasChildren()) {
            childOffsets = new int[node.last - node.first + 1];
            int next = offset + node.size;
            for (int i = 0; i < childOffsets.length; i++) {
                Node child = node.children[i];
                if (child != null) {
                    childOffsets[i] = next | child.flags();
                    next += child.total;
                }
            }
        }
        writeBody(node, childOffsets, out);
        if (node.hasChildren()) {
            int next = offset + node.size;
            for (int c = node.first; c <= node.last; c++) {
                Node child = node.child(c);
                if (child != null) {
                    writeParentFirst(child, out, next);
                    next += child.total;
                }
            }
        }
    }

    private static void writeBody(Node node, int[] childOffsets, Out out) {
        if (!node.prefix.isEmpty()) {
            out.string(node.prefix);
        }
        if (childOffsets != null) {
            out.u8(node.first);
            out.u8(node.last);
            for (int o : childOffsets) {
                out.u32(o);
            }
        }
        if (node.values != null) {
            int count = 0;
            for (Value v = node.values; v != null; v = v.next) {
                count++;
            }
            out.u32(count);
            for (Value v = node.values; v != null; v = v.next) {
                out.u32(v.priority);
                out.string(v.text);
            }
        }
    }

    /**
     * A growable big-endian byte sink with one patchable word. Not a ByteArrayOutputStream:
     * its synchronized write(int) costs an atomic operation per byte, and the indexes are
     * megabytes written a byte or a word at a time.
     */
    private static final class Out {
        private byte[] buf = new byte[1 << 16];
        private int size;

        int size() {
            return size;
        }

        private void reserve(int bytes) {
            if (buf.length - size < bytes) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + bytes));
            }
        }

        void u8(int v) {
            reserve(1);
            buf[size++] = (byte) v;
        }

        void u32(int v) {
            reserve(4);
            buf[size] = (byte) (v >>> 24);
            buf[size + 1] = (byte) (v >>> 16);
            buf[size + 2] = (byte) (v >>> 8);
            buf[size + 3] = (byte) v;
            size += 4;
        }

        /** The string and its NUL; every char is 7-bit ASCII (checked on insert). */
        void string(String s) {
            reserve(s.length() + 1);
            for (int i = 0; i < s.length(); i++) {
                buf[size + i] = (byte) s.charAt(i);
            }
            size += s.length();
            buf[size++] = 0;
        }

        void patch(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}

package modtools.deps.index;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes kmod index files for tests, building the trie the way depmod's index_insert does.
 * Values go in with depmod's ordering ({@link #insert}) or exactly in call order
 * ({@link #append}, to make files depmod would not write). Nodes are written children first
 * (kmod up to 33) or parent first (kmod 34 and later).
 */
final class TrieWriter {
    private static final class Value {
        final int priority;
        final byte[] text;

        Value(int priority, byte[] text) {
            this.priority = priority;
            this.text = text;
        }
    }

    private static final class Node {
        byte[] prefix = new byte[0];
        List<Value> values = new ArrayList<>();
        Node[] children = new Node[128];
        int first = 128;
        int last = 0;
    }

    private final Node root = new Node();

    /** Adds a value as depmod does: before the first value of the same or higher priority. */
    TrieWriter insert(String key, String value, int priority) {
        List<Value> values = nodeFor(key).values;
        int at = 0;
        while (at < values.size() && Integer.compareUnsigned(values.get(at).priority, priority) < 0) {
            at++;
        }
        values.add(at, new Value(priority, bytes(value)));
        return this;
    }

    /** Adds a value after the key's other values, whatever the priorities. */
    TrieWriter append(String key, String value, int priority) {
        nodeFor(key).values.add(new Value(priority, bytes(value)));
        return this;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private Node nodeFor(String keyText) {
        byte[] key = bytes(keyText);
        Node node = root;
        int i = 0;
        while (true) {
            int j = 0;
            for (; j < node.prefix.length; j++) {
                int ch = node.prefix[j];
                if (i + j >= key.length || ch != key[i + j]) {
                    Node split = new Node();
                    split.prefix = java.util.Arrays.copyOfRange(node.prefix, j + 1, node.prefix.length);
                    split.values = node.values;
                    split.children = node.children;
                    split.first = node.first;
                    split.last = node.last;
                    node.prefix = java.util.Arrays.copyOf(node.prefix, j);
                    node.values = new ArrayList<>();
                    node.children = new Node[128];
                    node.children[ch] = split;
                    node.first = ch;
                    node.last = ch;
                    break;
                }
            }
            i += j;
            if (i == key.length) {
                return node;
            }
            int ch = key[i];
            if (node.children[ch] == null) {
                Node child = new Node();
                child.prefix = java.util.Arrays.copyOfRange(key, i + 1, key.length);
                node.children[ch] = child;
                node.first = Math.min(node.first, ch);
                node.last = Math.max(node.last, ch);
                return child;
            }
            node = node.children[ch];
            i++;
        }
    }

    /** The file as kmod 30's depmod writes it: children before their parent. */
    byte[] write() {
        return write(false);
    }

    byte[] write(boolean parentFirst) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeInt(out, IndexFile.MAGIC);
        writeInt(out, IndexFile.VERSION);
        writeInt(out, 0);
        int rootWord = parentFirst ? writePreOrder(root, out) : writePostOrder(root, out);
        byte[] file = out.toByteArray();
        ByteBuffer.wrap(file).putInt(8, rootWord);
        return file;
    }

    private static int writePostOrder(Node node, ByteArrayOutputStream out) {
        int[] childWords = new int[0];
        if (node.first < 128) {
            childWords = new int[node.last - node.first + 1];
            for (int c = node.first; c <= node.last; c++) {
                Node child = node.children[c];
                childWords[c - node.first] = child == null ? 0 : writePostOrder(child, out);
            }
        }
        return writeNode(node, childWords, out);
    }

    private static int writeNode(Node node, int[] childWords, ByteArrayOutputStream out) {
        int word = out.size();
        if (node.prefix.length > 0) {
            out.writeBytes(node.prefix);
            out.write(0);
            word |= 0x80000000;
        }
        if (node.first < 128) {
            out.write(node.first);
            out.write(node.last);
            for (int w : childWords) {
                writeInt(out, w);
            }
            word |= 0x20000000;
        }
        if (!node.values.isEmpty()) {
            writeInt(out, node.values.size());
            for (Value v : node.values) {
                writeInt(out, v.priority);
                out.writeBytes(v.text);
                out.write(0);
            }
            word |= 0x40000000;
        }
        return word;
    }

    /** Parent first: child offsets are patched once the children are written. */
    private static int writePreOrder(Node node, ByteArrayOutputStream out) {
        // Write the node with placeholder child words, remember where they are, then patch.
        int count = node.first < 128 ? node.last - node.first + 1 : 0;
        int word = writeNode(node, new int[count], out);
        int childrenAt = (word & 0x0fffffff) + (node.prefix.length > 0 ? node.prefix.length + 1 : 0) + 2;
        int[] words = new int[count];
        for (int c = 0; c < count; c++) {
            Node child = node.children[node.first + c];
            words[c] = child == null ? 0 : writePreOrder(child, out);
        }
        if (count > 0) {
            byte[] all = out.toByteArray();
            ByteBuffer b = ByteBuffer.wrap(all);
            for (int c = 0; c < count; c++) {
                b.putInt(childrenAt + 4 * c, words[c]);
            }
            out.reset();
            out.writeBytes(all);
        }
        return word;
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}

package modtools.deps.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexFileTest {
    @TempDir
    Path tmp;

    private static final int PREFIX = 0x80000000;
    private static final int VALUES = 0x40000000;
    private static final int CHILDREN = 0x20000000;

    private IndexFile open(byte[] bytes) throws IOException, IndexFormatException {
        Path p = tmp.resolve("modules.test.bin");
        Files.write(p, bytes);
        return IndexFile.open(p).orElseThrow();
    }

    private IndexFormatException failsToOpen(byte[] bytes) throws IOException {
        Path p = tmp.resolve("modules.bad.bin");
        Files.write(p, bytes);
        return assertThrows(IndexFormatException.class, () -> IndexFile.open(p));
    }

    private static List<IndexFile.IndexValue> values(Object... pairs) {
        IndexFile.IndexValue[] out = new IndexFile.IndexValue[pairs.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = new IndexFile.IndexValue((Integer) pairs[2 * i], (String) pairs[2 * i + 1]);
        }
        return List.of(out);
    }

    // ---------------------------------------------------------------- well-formed files

    @Test
    void missingFileIsEmpty() throws Exception {
        assertEquals(Optional.empty(), IndexFile.open(tmp.resolve("modules.dep.bin")));
        assertEquals(Optional.empty(), IndexFile.open(tmp.resolve("no/such/dir/modules.dep.bin")));
    }

    @Test
    void exactAndWildLookups() throws Exception {
        TrieWriter w = new TrieWriter()
                .insert("ask", "v-ask", 3)
                .insert("ate", "v-ate", 1)
                .insert("on", "v-on", 2)
                .insert("once", "v-once", 2)
                .insert("one", "v-one", 0)
                .insert("o*", "v-ostar", 7)
                .insert("o?e", "v-oqe", 0)
                .insert("[ab]te", "v-bracket", 4);
        for (boolean parentFirst : new boolean[] {false, true}) {
            IndexFile index = open(w.write(parentFirst));
            assertEquals(Optional.of("v-once"), index.search("once"));
            assertEquals(Optional.of("v-on"), index.search("on"));
            assertEquals(Optional.empty(), index.search("o"));
            assertEquals(Optional.empty(), index.search("onc"));
            assertEquals(Optional.empty(), index.search("oncee"));
            assertEquals(Optional.of("v-ostar"), index.search("o*"), "search takes keys literally");
            assertEquals(values(0, "v-one", 0, "v-oqe", 7, "v-ostar"), index.searchWild("one"));
            assertEquals(values(1, "v-ate", 4, "v-bracket"), index.searchWild("ate"));
            assertEquals(values(4, "v-bracket"), index.searchWild("bte"));
            assertEquals(values(7, "v-ostar"), index.searchWild("oxyz"));
            assertEquals(List.of(), index.searchWild("x"));
            assertEquals(8, index.entries().size());
            assertEquals(new IndexFile.Entry("[ab]te", 4, "v-bracket"), index.entries().get(0));
        }
    }

    @Test
    void aKeyWithAWildcardMeetsTheSameNodeTwice() throws Exception {
        // kmod follows the '*' child both as a pattern and as the key's own character
        IndexFile index = open(new TrieWriter().insert("a*", "m", 1).insert("ab", "n", 2).write());
        assertEquals(values(1, "m", 1, "m"), index.searchWild("a*"));
        assertEquals(values(1, "m", 2, "n"), index.searchWild("ab"));
        // with "a*" alone the '*' sits in a prefix: then it is only a pattern
        IndexFile alone = open(new TrieWriter().insert("a*", "m", 1).write());
        assertEquals(values(1, "m"), alone.searchWild("a*"));
    }

    @Test
    void emptyIndexAsDepmodWritesIt() throws Exception {
        byte[] empty = new TrieWriter().write();
        assertEquals(12, empty.length, "the root node takes no bytes");
        IndexFile index = open(empty);
        assertEquals(Optional.empty(), index.search(""));
        assertEquals(List.of(), index.searchWild("*"));
        assertEquals(List.of(), index.entries());
    }

    @Test
    void bytesRoundTripAsLatin1() throws Exception {
        IndexFile index = open(new TrieWriter().insert("k\u00e9y", "v\u00ff\u0080", 0).write());
        assertEquals(Optional.of("v\u00ff\u0080"), index.search("k\u00e9y"));
        assertEquals(Optional.empty(), index.search("k\u00e9y\u0100"));
        assertEquals(Optional.of("v\u00ff\u0080"), index.search("k\u00e9y\0ignored"), "a key ends at NUL");
    }

    @Test
    void anyMinorVersionIsAccepted() throws Exception {
        byte[] file = new TrieWriter().insert("a", "b", 0).write();
        ByteBuffer.wrap(file).putInt(4, 0x00020007);
        assertEquals(Optional.of("b"), open(file).search("a"));
    }

    @Test
    void priorityIsUnsigned() throws Exception {
        IndexFile index = open(new TrieWriter().insert("a*", "high", 0x80000000).insert("ab", "low", 1).write());
        assertEquals(values(1, "low", 0x80000000, "high"), index.searchWild("ab"));
    }

    // ---------------------------------------------------------------- corrupt files

    @Test
    void badHeaders() throws Exception {
        IndexFormatException e = failsToOpen(new byte[0]);
        assertTrue(e.getMessage().contains("modules.bad.bin"), e.getMessage());
        assertEquals(0, e.offset());
        failsToOpen(new byte[8]);
        byte[] good = new TrieWriter().insert("a", "b", 0).write();
        byte[] magic = good.clone();
        magic[0] = 0x12;
        assertTrue(failsToOpen(magic).problem().contains("magic"));
        byte[] major = good.clone();
        ByteBuffer.wrap(major).putInt(4, 0x00030001);
        IndexFormatException v = failsToOpen(major);
        assertEquals(4, v.offset());
        assertTrue(v.problem().contains("version"));
        Path directory = Files.createDirectories(tmp.resolve("modules.dir.bin"));
        assertThrows(IndexFormatException.class, () -> IndexFile.open(directory));
    }

    /** A file from raw u32 words and bytes. */
    private static byte[] raw(Object... parts) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.putInt(IndexFile.MAGIC).putInt(IndexFile.VERSION);
        for (Object part : parts) {
            if (part instanceof Integer i) {
                b.putInt(i);
            } else if (part instanceof String s) {
                b.put(s.getBytes(StandardCharsets.ISO_8859_1));
            } else {
                b.put((byte[]) part);
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] bytes(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void nodeOffsetsOutsideTheFile() throws Exception {
        IndexFile beyond = open(raw(PREFIX | 0x1000));
        IndexFormatException e = assertThrows(IndexFormatException.class, () -> beyond.search("a"));
        assertEquals(8, e.offset(), "the offset of the bad word");
        assertTrue(e.problem().contains("beyond the end"), e.problem());
        IndexFile header = open(raw(PREFIX | 4, "a\0"));
        assertThrows(IndexFormatException.class, () -> header.searchWild("a"));
    }

    @Test
    void cyclicOffsets() throws Exception {
        // root at 12: children 'a'..'a' -> itself
        IndexFile self = open(raw(CHILDREN | 12, bytes('a', 'a'), CHILDREN | 12));
        IndexFormatException e = assertThrows(IndexFormatException.class, () -> self.search("aaaa"));
        assertTrue(e.problem().contains("loop"), e.problem());
        assertThrows(IndexFormatException.class, () -> self.entries());
        assertThrows(IndexFormatException.class, () -> self.searchWild("aaa"));
        // root's '*' child loops back to the root: a wildcard walk must stop
        IndexFile star = open(raw(CHILDREN | 12, bytes('*', '*'), CHILDREN | 12));
        assertThrows(IndexFormatException.class, () -> star.searchWild("x"));
        // two nodes pointing at each other
        IndexFile pair = open(raw(CHILDREN | 12, bytes('a', 'a'), CHILDREN | 18, bytes('b', 'b'), CHILDREN | 12));
        assertThrows(IndexFormatException.class, () -> pair.search("ababab"));
        assertThrows(IndexFormatException.class, () -> pair.entries());
    }

    @Test
    void sharedChildrenDoNotMultiplyTheWork() throws Exception {
        // a chain of 40 nodes, each with children 'a' and 'b' both pointing to the next:
        // 2^40 paths unless a walk refuses to meet a node twice
        ByteBuffer b = ByteBuffer.allocate(12 + 41 * 10);
        b.putInt(IndexFile.MAGIC).putInt(IndexFile.VERSION).putInt(CHILDREN | 12);
        for (int i = 0; i < 40; i++) {
            int next = 12 + (i + 1) * 10;
            b.put((byte) 'a').put((byte) 'b').putInt(CHILDREN | next).putInt(CHILDREN | next);
        }
        b.put((byte) '*').put((byte) '*').putInt(0);
        IndexFile index = open(b.array());
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThrows(IndexFormatException.class, () -> index.entries());
            // the root's only children are 'a' and 'b'; make the walk start from a wildcard
        });
        ByteBuffer c = ByteBuffer.wrap(b.array().clone());
        c.put(12, (byte) '*').put(13, (byte) '+'); // root: '*' and '+' -> next
        IndexFile wild = open(c.array());
        assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(IndexFormatException.class, () -> wild.searchWild("zzz")));
    }

    @Test
    void overlappingNodesHitTheReadBudget() throws Exception {
        // root '*' child: a node with a 20,000-byte prefix and children 'a'..'z' pointing into
        // the middle of that prefix, each "node" reading most of it again.
        int prefixLength = 20_000;
        ByteBuffer b = ByteBuffer.allocate(12 + 2 + 4 + prefixLength + 1 + 2 + 26 * 4);
        b.putInt(IndexFile.MAGIC).putInt(IndexFile.VERSION).putInt(CHILDREN | 12);
        int child = 12 + 6;
        b.put((byte) '*').put((byte) '*').putInt(PREFIX | CHILDREN | child);
        for (int i = 0; i < prefixLength; i++) {
            b.put((byte) 'p');
        }
        b.put((byte) 0).put((byte) 'a').put((byte) 'z');
        for (int i = 0; i < 26; i++) {
            b.putInt(PREFIX | (child + 1 + i)); // distinct offsets, all inside the long prefix
        }
        IndexFile index = open(b.array());
        IndexFormatException e = assertThrows(IndexFormatException.class, () -> index.searchWild("x"));
        assertTrue(e.problem().contains("more than the file holds"), e.problem());
    }

    @Test
    void childRangesMustAscendWithinAscii() throws Exception {
        IndexFile reversed = open(raw(CHILDREN | 12, bytes('z', 'a'), 0));
        IndexFormatException e = assertThrows(IndexFormatException.class, () -> reversed.search("b"));
        assertEquals(12, e.offset());
        assertTrue(e.problem().contains("out of order"), e.problem());
        IndexFile high = open(raw(CHILDREN | 12, bytes('a', 0x80), new byte[4 * 32]));
        assertThrows(IndexFormatException.class, () -> high.search("a"));
        IndexFile nul = open(raw(CHILDREN | 12, bytes(0, 1), 0, 0));
        assertThrows(IndexFormatException.class, () -> nul.search("a"));
        IndexFile shortChildren = open(raw(CHILDREN | 12, bytes('a', 'z'), 0));
        assertThrows(IndexFormatException.class, () -> shortChildren.search("a"));
    }

    @Test
    void truncatedStringsAndValues() throws Exception {
        IndexFile prefix = open(raw(PREFIX | 12, "abc"));
        IndexFormatException e = assertThrows(IndexFormatException.class, () -> prefix.search("abc"));
        assertEquals(12, e.offset());
        assertTrue(e.problem().contains("not terminated"), e.problem());
        IndexFile value = open(raw(VALUES | 12, 1, 0, "unterminated"));
        assertThrows(IndexFormatException.class, () -> value.search(""));
        IndexFile count = open(raw(VALUES | 12, 0x7fffffff, 0, "v\0"));
        assertTrue(assertThrows(IndexFormatException.class, () -> count.searchWild("")).problem().contains("count"));
        IndexFile noCount = open(raw(VALUES | 12, bytes(0, 0)));
        assertThrows(IndexFormatException.class, () -> noCount.search(""));
    }

    /** Every lookup on a damaged file returns or throws IndexFormatException, quickly. */
    private static void survives(IndexFile index, List<String> keys) {
        for (String key : keys) {
            try {
                index.search(key);
            } catch (IndexFormatException expected) {
                // fine
            }
            try {
                index.searchWild(key);
            } catch (IndexFormatException expected) {
                // fine
            }
        }
        try {
            index.entries();
        } catch (IndexFormatException expected) {
            // fine
        }
    }

    @Test
    void truncationsAndBitFlipsOnlyEverGiveIndexFormatException() throws Exception {
        Random random = new Random(7);
        TrieWriter w = new TrieWriter();
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String key = "k" + Integer.toString(random.nextInt(5000), 7) + (i % 5 == 0 ? "*" : "") + (i % 7 == 0 ? "?x" : "");
            keys.add(key);
            w.insert(key, "value" + i, random.nextInt(4));
        }
        keys.addAll(List.of("", "k", "k1x", "k12", "k1*", "*", "k[1]"));
        byte[] good = w.write();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int cut = 12; cut < good.length; cut++) {
                survives(open(Arrays.copyOf(good, cut)), keys);
            }
            for (int round = 0; round < 1500; round++) {
                byte[] bad = good.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    int at = 8 + random.nextInt(bad.length - 8);
                    bad[at] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : (byte) (bad[at] ^ (1 << random.nextInt(8)));
                }
                survives(open(bad), keys);
            }
        });
    }
}

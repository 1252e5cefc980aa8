package modtools.deps.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index files written by the tests, with wildcard keys of every kind and values of equal
 * priority, put in front of kmod's modprobe. With all five indexes present modprobe reads
 * them mapped (index_mm_*); without modules.builtin.bin kmod_load_resources fails and it
 * falls back to the stdio reader (index_*), which orders equal priorities differently.
 */
class CraftedIndexTest {
    static final String VERSION = "6.1.0-crafted";

    @TempDir
    static Path tmp;

    static Path config;
    static List<String> patterns = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        assumeTrue(Kmod.available(), "kmod's modprobe is not installed");
        config = Kmod.sentinelConfig(tmp);
        Random random = new Random(34);
        TrieWriter alias = new TrieWriter();
        TrieWriter builtinAlias = new TrieWriter();
        String[] tokens = {"a", "b", "c", ":", "x", "*", "?", "[ab]", "[!a]", "[^c]", "[a-c]", "[:x]", "*:", "a*"};
        for (int i = 0; i < 80; i++) {
            StringBuilder p = new StringBuilder();
            int n = 1 + random.nextInt(5);
            for (int t = 0; t < n; t++) {
                p.append(tokens[random.nextInt(tokens.length)]);
            }
            String pattern = p.toString();
            patterns.add(pattern);
            for (int v = 0; v <= random.nextInt(3); v++) {
                String module = "mod" + random.nextInt(12);
                int priority = random.nextInt(3);
                if (random.nextBoolean()) {
                    alias.insert(pattern, module, priority);
                } else {
                    alias.append(pattern, module, priority);
                }
            }
            builtinAlias.insert("bi" + pattern, "builtin" + random.nextInt(5), 0);
        }
        TrieWriter dep = new TrieWriter()
                .append("tie_first", "kernel/one.ko:", 1)
                .append("tie_first", "kernel/zero.ko: kernel/one.ko", 0)
                .insert("tie_equal", "kernel/e1.ko:", 5)
                .insert("tie_equal", "kernel/e2.ko:", 5);
        byte[] empty = new TrieWriter().write();
        for (String tree : List.of("mapped", "stream")) {
            Path dir = Files.createDirectories(tmp.resolve(tree).resolve("lib/modules").resolve(VERSION));
            // parent-first in one tree, children-first in the other: kmod does not care
            boolean parentFirst = tree.equals("stream");
            Files.write(dir.resolve("modules.dep.bin"), dep.write(parentFirst));
            Files.write(dir.resolve("modules.alias.bin"), alias.write(parentFirst));
            Files.write(dir.resolve("modules.symbols.bin"), empty);
            Files.write(dir.resolve("modules.builtin.alias.bin"), builtinAlias.write(parentFirst));
            if (tree.equals("mapped")) {
                Files.write(dir.resolve("modules.builtin.bin"), empty);
            }
        }
    }

    private static Path dir(String tree) {
        return tmp.resolve(tree).resolve("lib/modules").resolve(VERSION);
    }

    private static List<String> queries() {
        Random random = new Random(30);
        Set<String> out = new LinkedHashSet<>();
        String chars = "abcx:*?[]!^-";
        for (int i = 0; i < 1500; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(7);
            for (int k = 0; k < n; k++) {
                s.append(chars.charAt(random.nextInt(i % 3 == 0 ? chars.length() : 5)));
            }
            out.add(s.toString());
        }
        for (String p : patterns) {
            out.add(p);
            out.add("bi" + p);
            for (int k = 0; k < 4; k++) {
                String q = CorpusIndexTest.instantiate(p.replace("[:x]", "[x:]"), random);
                out.add(q);
                out.add("bi" + q);
            }
        }
        return new ArrayList<>(out);
    }

    private static void compare(String tree, IndexFile.Access access) throws Exception {
        List<String> queries = queries();
        List<List<String>> kmod = Kmod.resolveAliases(tmp.resolve(tree), VERSION, config, queries);
        Lookup ours = new Lookup(dir(tree), access);
        List<String> mismatches = new ArrayList<>();
        int several = 0;
        for (int i = 0; i < queries.size(); i++) {
            List<String> mine = ours.resolve(queries.get(i));
            if (mine.size() > 1) {
                several++;
            }
            if (!mine.equals(kmod.get(i)) && mismatches.size() < 20) {
                mismatches.add(queries.get(i) + ": kmod " + kmod.get(i) + ", ours " + mine);
            }
        }
        assertEquals(List.of(), mismatches);
        assertTrue(several > 200, "too few answers with several modules: " + several);
    }

    @Test
    void mappedLookupsAnswerLikeModprobe() throws Exception {
        compare("mapped", IndexFile.Access.MAPPED);
    }

    @Test
    void streamLookupsAnswerLikeModprobeWithoutBuiltinBin() throws Exception {
        compare("stream", IndexFile.Access.STREAM);
    }

    @Test
    void theTwoReadersDifferOnlyInTies() throws Exception {
        IndexFile mapped = IndexFile.open(dir("mapped").resolve("modules.alias.bin")).orElseThrow();
        IndexFile stream = IndexFile.open(dir("stream").resolve("modules.alias.bin")).orElseThrow();
        int differ = 0;
        for (String q : queries()) {
            List<IndexFile.IndexValue> a = mapped.searchWild(q, IndexFile.Access.MAPPED);
            List<IndexFile.IndexValue> b = stream.searchWild(q, IndexFile.Access.STREAM);
            assertEquals(sortedByPriority(a), sortedByPriority(b), q);
            if (!a.equals(b)) {
                differ++;
            }
        }
        assertTrue(differ > 20, "the crafted ties should show: " + differ);
    }

    private static List<String> sortedByPriority(List<IndexFile.IndexValue> values) {
        List<String> out = new ArrayList<>();
        for (IndexFile.IndexValue v : values) {
            out.add(v.priority() + " " + v.value());
        }
        out.sort(null);
        return out;
    }

    @Test
    void exactSearchTakesTheValueModprobeTakes() throws Exception {
        for (String tree : List.of("mapped", "stream")) {
            IndexFile.Access access = tree.equals("mapped") ? IndexFile.Access.MAPPED : IndexFile.Access.STREAM;
            IndexFile dep = IndexFile.open(dir(tree).resolve("modules.dep.bin")).orElseThrow();
            for (String module : List.of("tie_first", "tie_equal")) {
                String line = dep.search(module, access).orElseThrow();
                String path = line.substring(0, line.indexOf(':'));
                // -D lists dependencies first; the module itself comes last
                assertEquals(path.substring(path.lastIndexOf('/') + 1), insmodOfModule(tree, module), tree + " " + module);
            }
        }
        IndexFile dep = IndexFile.open(dir("mapped").resolve("modules.dep.bin")).orElseThrow();
        assertEquals("kernel/one.ko:", dep.search("tie_first").orElseThrow());
        assertEquals("kernel/zero.ko: kernel/one.ko", dep.search("tie_first", IndexFile.Access.STREAM).orElseThrow());
        assertEquals("kernel/e2.ko:", dep.search("tie_equal").orElseThrow());
        assertEquals("kernel/e1.ko:", dep.search("tie_equal", IndexFile.Access.STREAM).orElseThrow());
    }

    /** The file modprobe -D would insert last: the module itself, after its dependencies. */
    private static String insmodOfModule(String tree, String module) {
        Processes.Result r = Processes.run(List.of(Kmod.MODPROBE, "-C", config.toString(), "-d", tmp.resolve(tree).toString(),
                "-S", VERSION, "-D", module));
        String last = null;
        for (String line : r.stdoutText().split("\n")) {
            if (line.startsWith("insmod ")) {
                last = line.substring(line.lastIndexOf('/') + 1).strip();
            }
        }
        if (last == null) {
            throw new AssertionError("no insmod line for " + module + ": " + r.stdoutText() + r.stderrText());
        }
        return last;
    }
}

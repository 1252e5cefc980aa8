package modtools.deps.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import modtools.testkit.Corpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Debian cloud kernel's modules, indexed by kmod's own depmod, read by us and
 * looked up by kmod's modprobe.
 */
class CorpusIndexTest {
    @TempDir
    static Path tmp;

    static Path root;
    static String version;
    static Path dir;
    static Path config;

    @BeforeAll
    static void indexTheCorpus() throws IOException {
        assumeTrue(Kmod.available(), "kmod's depmod and modprobe are not installed");
        Path corpus = Corpus.cloud();
        version = Corpus.version(corpus);
        root = Kmod.linkedTree(corpus, version, tmp.resolve("root"));
        Kmod.depmod(root, version);
        dir = root.resolve("lib/modules").resolve(version);
        config = Kmod.sentinelConfig(tmp);
    }

    /** Removes the links into the cache first, so the temporary tree goes without a word. */
    @AfterAll
    static void unlink() throws IOException {
        if (dir != null) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    if (Files.isSymbolicLink(p)) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    private static IndexFile index(String name) throws IndexFormatException {
        return IndexFile.open(dir.resolve(name)).orElseThrow();
    }

    private static List<String> lines(String name) throws IOException {
        return Files.readAllLines(dir.resolve(name), StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyModulesDepLineIsTheValueOfItsModuleName() throws Exception {
        IndexFile deps = index("modules.dep.bin");
        List<String> lines = lines("modules.dep");
        assertTrue(lines.size() > 1000, "a real tree has over a thousand modules");
        for (String line : lines) {
            String path = line.substring(0, line.indexOf(':'));
            String name = AliasNormalizer.modnameOfPath(path).orElseThrow();
            assertEquals(Optional.of(line), deps.search(name), name);
            assertEquals(Optional.of(line), deps.search(name, IndexFile.Access.STREAM), name);
        }
        assertEquals(Optional.empty(), deps.search("no_such_module"));
        assertEquals(Optional.empty(), deps.search(""));
        String first = AliasNormalizer.modnameOfPath(lines.get(0).substring(0, lines.get(0).indexOf(':'))).orElseThrow();
        assertEquals(Optional.empty(), deps.search(first.substring(0, first.length() - 1)), "a prefix is no key");
        assertEquals(Optional.empty(), deps.search(first + "x"));
    }

    @Test
    void entriesListTheTextIndexes() throws Exception {
        List<String> aliases = new ArrayList<>();
        for (String line : lines("modules.alias")) {
            if (!line.startsWith("#")) {
                String[] f = line.split(" ");
                aliases.add(AliasNormalizer.normalizeAlias(f[1]).orElseThrow() + " " + f[2]);
            }
        }
        assertEquals(sorted(aliases), sorted(entryLines(index("modules.alias.bin"))));

        List<String> symbols = new ArrayList<>();
        for (String line : lines("modules.symbols")) {
            if (!line.startsWith("#")) {
                String[] f = line.split(" ");
                symbols.add(f[1] + " " + f[2]);
            }
        }
        assertEquals(sorted(symbols), sorted(entryLines(index("modules.symbols.bin"))));
        // modules.dep is written in module order, and that order is the priority in modules.dep.bin
        List<IndexFile.Entry> deps = new ArrayList<>(index("modules.dep.bin").entries());
        deps.sort((a, b) -> Integer.compareUnsigned(a.priority(), b.priority()));
        assertEquals(lines("modules.dep"), deps.stream().map(IndexFile.Entry::value).toList());
    }

    @Test
    void symbolLookups() throws Exception {
        IndexFile symbols = index("modules.symbols.bin");
        IndexFile deps = index("modules.dep.bin");
        List<String> depLines = lines("modules.dep");
        int checked = 0;
        for (String line : lines("modules.symbols")) {
            if (line.startsWith("#") || checked++ % 7 != 0) {
                continue;
            }
            String[] f = line.split(" ");
            List<IndexFile.IndexValue> owners = symbols.searchWild(f[1]);
            assertEquals(1, owners.size(), line);
            assertEquals(f[2], owners.get(0).value(), line);
            assertEquals(Optional.of(f[2]), symbols.search(f[1]));
            // the priority is the owner's place in module order, as in modules.dep.bin
            String depLine = deps.search(f[2]).orElseThrow();
            int place = depLines.indexOf(depLine);
            assertEquals(place, owners.get(0).priority(), line);
            if (checked > 200) {
                break;
            }
        }
        assertEquals(List.of(), symbols.searchWild("symbol:no_such_symbol_at_all"));
        assertEquals(Optional.empty(), symbols.search("symbol:"));
    }

    private static List<String> entryLines(IndexFile index) throws IndexFormatException {
        List<String> out = new ArrayList<>();
        for (IndexFile.Entry e : index.entries()) {
            out.add(e.key() + " " + e.value());
        }
        return out;
    }

    private static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }

    @Test
    void builtinIndexes() throws Exception {
        IndexFile builtin = index("modules.builtin.bin");
        List<String> names = lines("modules.builtin");
        assertTrue(names.size() > 100);
        for (String line : names) {
            String name = AliasNormalizer.modnameOfPath(line).orElseThrow();
            assertEquals(Optional.of(""), builtin.search(name), name);
        }
        assertEquals(Optional.empty(), builtin.search("ext"));

        IndexFile builtinAlias = index("modules.builtin.alias.bin");
        List<String[]> pairs = builtinAliases();
        assertTrue(pairs.size() > 20);
        for (String[] p : pairs) {
            String key = AliasNormalizer.normalizeAlias(p[1]).orElseThrow();
            List<IndexFile.IndexValue> found = builtinAlias.searchWild(key);
            assertTrue(found.contains(new IndexFile.IndexValue(0, p[0])), key + " -> " + found);
        }
        assertEquals(List.of(new IndexFile.IndexValue(0, "ext4")), builtinAlias.searchWild("fs_ext4"));
    }

    /** (module, alias) from modules.builtin.modinfo. */
    private static List<String[]> builtinAliases() throws IOException {
        String text = Files.readString(dir.resolve("modules.builtin.modinfo"), StandardCharsets.ISO_8859_1);
        List<String[]> out = new ArrayList<>();
        for (String s : text.split("\0")) {
            int dot = s.indexOf('.');
            if (dot > 0 && s.startsWith("alias=", dot + 1)) {
                out.add(new String[] {s.substring(0, dot), s.substring(dot + 7)});
            }
        }
        return out;
    }

    @Test
    void lookupsAnswerLikeModprobe() throws Exception {
        Set<String> names = new LinkedHashSet<>();
        List<String> patterns = new ArrayList<>();
        for (String line : lines("modules.alias")) {
            if (!line.startsWith("#")) {
                patterns.add(line.split(" ")[1]);
            }
        }
        names.addAll(patterns);
        Random random = new Random(30);
        int modaliases = 0;
        for (String pattern : patterns) {
            if (pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0) {
                for (int i = 0; i < 2; i++) {
                    if (names.add(instantiate(pattern, random))) {
                        modaliases++;
                    }
                }
            }
        }
        assertTrue(modaliases >= 300, "only " + modaliases + " modaliases");
        for (String line : lines("modules.symbols")) {
            if (!line.startsWith("#")) {
                names.add(line.split(" ")[1]);
            }
        }
        for (String line : lines("modules.dep")) {
            String name = AliasNormalizer.modnameOfPath(line.substring(0, line.indexOf(':'))).orElseThrow();
            names.add(name);
            names.add(name.replace('_', '-'));
        }
        for (String line : lines("modules.builtin")) {
            names.add(AliasNormalizer.modnameOfPath(line).orElseThrow());
        }
        for (String[] p : builtinAliases()) {
            names.add(p[1]);
        }
        names.addAll(List.of("no-such-module", "symbol:no_such_symbol", "pci:", "pci:v*", "usb:v*p*d*",
                "cpu:type:x86,ven0000fam0006mod003F:feature:,0081,", "acpi*", "*", "?", "a[b", "a]b",
                "fs-[e]xt4", "fs-ext[0-9]", "crypto-*", "symbol:*"));

        List<String> queries = new ArrayList<>(names);
        List<List<String>> kmod = Kmod.resolveAliases(root, version, config, queries);
        Lookup ours = new Lookup(dir, IndexFile.Access.MAPPED);
        List<String> mismatches = new ArrayList<>();
        int answered = 0;
        for (int i = 0; i < queries.size(); i++) {
            List<String> mine = ours.resolve(queries.get(i));
            if (!mine.isEmpty()) {
                answered++;
            }
            if (!mine.equals(kmod.get(i)) && mismatches.size() < 20) {
                mismatches.add(queries.get(i) + ": kmod " + kmod.get(i) + ", ours " + mine);
            }
        }
        assertEquals(List.of(), mismatches);
        assertTrue(answered > queries.size() / 2, "most queries should find something: " + answered);
    }

    /** A string the pattern matches: '*' becomes 0-3 characters, '?' one, [...] a member. */
    static String instantiate(String pattern, Random random) {
        String fill = "0123456789ABCDEFabcdef:_";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                int n = random.nextInt(4);
                for (int k = 0; k < n; k++) {
                    out.append(fill.charAt(random.nextInt(fill.length())));
                }
            } else if (c == '?') {
                out.append(fill.charAt(random.nextInt(fill.length())));
            } else if (c == '[') {
                int end = pattern.indexOf(']', i + 2);
                String set = pattern.substring(i + 1, end);
                if (set.startsWith("!") || set.startsWith("^")) {
                    out.append('~'); // rarely a member of a negated set in real aliases
                } else if (set.length() >= 3 && set.charAt(1) == '-') {
                    out.append((char) (set.charAt(0) + random.nextInt(set.charAt(2) - set.charAt(0) + 1)));
                } else {
                    out.append(set.charAt(random.nextInt(set.length())));
                }
                i = end;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

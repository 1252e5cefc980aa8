package modtools.deps.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import modtools.deps.CLocaleLibc;
import org.junit.jupiter.api.Test;

class FnmatchTest {
    private static boolean m(String pattern, String string) {
        return Fnmatch.matches(pattern, string);
    }

    @Test
    void wildcards() {
        assertTrue(m("pci:v*d*", "pci:v00008086d00001234sv"));
        assertTrue(m("*", ""));
        assertTrue(m("*", "a/b/.c"));
        assertTrue(m("a?c", "abc"));
        assertFalse(m("a?c", "ac"));
        assertTrue(m("*?*", "x"));
        assertFalse(m("*??", "x"));
        assertTrue(m("a*b*c", "aXbYbZc"));
        assertFalse(m("a*b*c", "aXbYbZ"));
        assertTrue(m("", ""));
        assertFalse(m("", "a"));
    }

    @Test
    void brackets() {
        assertTrue(m("[abc]", "b"));
        assertTrue(m("[a-c]x", "bx"));
        assertFalse(m("[c-a]", "b"));
        assertTrue(m("[!a]", "b"));
        assertFalse(m("[!a]", "a"));
        assertTrue(m("[]a]", "]"));
        assertTrue(m("[a-]", "-"));
        assertTrue(m("[[:digit:]]", "7"));
        assertFalse(m("[[:digit:]]", "x"));
        assertFalse(m("[[:nosuch:]]", "x"));
        assertTrue(m("[[=a=]]", "a"));
        assertTrue(m("[[.-.]]", "-"));
        assertTrue(m("[\\]]", "]"));
    }

    @Test
    void glibcCornerCases() {
        assertTrue(m("[", "["), "an unterminated bracket is a plain '['");
        assertTrue(m("a[b", "a[b"));
        assertTrue(m("[ab", "[ab"));
        assertTrue(m("[[a", "[[a"), "also when a member matched before the end (glibc bug 28792)");
        assertFalse(m("ab\\", "ab\\"), "a trailing backslash matches nothing");
        assertTrue(m("\\*", "*"));
        assertFalse(m("\\*", "x"));
        assertFalse(m("[a-", "[a-"));
    }

    @Test
    void nulEndsBothStrings() {
        byte[] pattern = "ab\0zz".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(Fnmatch.matches(pattern, "ab\0yy".getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void caretNegatesUnlessPosixlyCorrect() {
        byte[] pattern = "[^a]".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(Fnmatch.matches(pattern, new byte[] {'b'}, true));
        assertFalse(Fnmatch.matches(pattern, new byte[] {'b'}, false));
        assertTrue(Fnmatch.matches(pattern, new byte[] {'^'}, false));
    }


    private static final String[] PATTERN_TOKENS = {
        "a", "b", "c", "z", "A", "0", "-", "]", "[", "!", "^", "*", "?", "\\", ":", ".", "=", "\u00e9",
        "[:alpha:]", "[:digit:]", "[:upper:]", "[:xdigit:]", "[:punct:]", "[:nosuch:]", "[:az:]", "[::]",
        "[=a=]", "[=", "[.a.]", "[.-.]", "[.ab.]", "[.", "a-c", "[a-c]", "[!b]", "[^b]", "[]a]", "\\]",
    };
    private static final String STRING_CHARS = "abcz-]![^:=.*?\\A0\u00e9 ";

    @Test
    void agreesWithTheCLibrary() {
        boolean caretNegates = System.getenv("POSIXLY_CORRECT") == null;
        try (CLocaleLibc glibc = CLocaleLibc.open()) {
            CLocaleLibc.LibC libc = glibc.libc();
            Random random = new Random(2036);
            List<String> failures = new ArrayList<>();
            int matched = 0;
            int cases = 200_000;
            for (int i = 0; i < cases && failures.size() < 10; i++) {
                StringBuilder p = new StringBuilder();
                int tokens = random.nextInt(7);
                for (int t = 0; t < tokens; t++) {
                    p.append(PATTERN_TOKENS[random.nextInt(PATTERN_TOKENS.length)]);
                }
                StringBuilder s = new StringBuilder();
                int length = random.nextInt(6);
                for (int k = 0; k < length; k++) {
                    s.append(STRING_CHARS.charAt(random.nextInt(STRING_CHARS.length())));
                }
                if (random.nextInt(4) == 0) {
                    s = new StringBuilder(p.toString().replace("*", "").replace("?", "x")); // near misses
                }
                byte[] pattern = p.toString().getBytes(StandardCharsets.ISO_8859_1);
                byte[] string = s.toString().getBytes(StandardCharsets.ISO_8859_1);
                boolean expected = libc.fnmatch(cString(pattern), cString(string), 0) == 0;
                boolean actual = Fnmatch.matches(pattern, string, caretNegates);
                if (expected != actual) {
                    failures.add("fnmatch(\"" + p + "\", \"" + s + "\") is " + expected);
                }
                if (expected) {
                    matched++;
                }
            }
            assertEquals(List.of(), failures);
            assertTrue(matched > cases / 20, "too few matching cases to mean much: " + matched);
        }
    }

    private static byte[] cString(byte[] b) {
        return Arrays.copyOf(b, b.length + 1);
    }
}

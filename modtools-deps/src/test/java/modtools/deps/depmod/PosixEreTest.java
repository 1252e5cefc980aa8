package modtools.deps.depmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import modtools.deps.CLocaleLibc;
import org.junit.jupiter.api.Test;

class PosixEreTest {
    private static final String VERSION = "6.1.0-13-amd64";

    @Test
    void kernelPatterns() {
        assertTrue(PosixEre.search("6.1", VERSION), "searched anywhere, '.' is any byte");
        assertTrue(PosixEre.search("^6\\.1\\.0-[0-9]+-amd64$", VERSION));
        assertFalse(PosixEre.search("^6\\.2", VERSION));
        assertTrue(PosixEre.search("amd64|arm64", VERSION));
        assertTrue(PosixEre.search("(13|14)-", VERSION));
        assertTrue(PosixEre.search("[[:digit:]]{2}", VERSION));
        assertFalse(PosixEre.search("[[:digit:]]{3}", VERSION));
    }

    @Test
    void glibcRefusals() {
        for (String bad : List.of("*", "*-amd64", "^*", "a|*b", "(*a)", "{1}", "a{1", "a{2,1}", "a{x}",
                "(a", "[a", "[]", "[^", "\\", "a\\", "\\1(a)", "(a)|\\1", "[[:nosuch:]]", "[z-a]",
                "[a-c-e]", "[[:alpha:]-z]", "[[.ab.]]", "[[=ab=]]", "a{32768}")) {
            assertTrue(PosixEre.compile(bad).isEmpty(), bad);
        }
    }

    @Test
    void glibcLiterals() {
        assertTrue(PosixEre.search("a)", "a)"), "an unmatched ')' is a literal");
        assertTrue(PosixEre.search("}", "}"));
        assertTrue(PosixEre.search("[]a]", "]"));
        assertTrue(PosixEre.search("[a-]", "-"));
        assertTrue(PosixEre.search("[\\]", "\\"), "a backslash in brackets is a member");
        assertTrue(PosixEre.search("a*+", "aaa"), "repetition of a repetition, not Java's possessive");
        assertTrue(PosixEre.search("(a)\\1", "aa"));
        assertTrue(PosixEre.search("\\<amd", VERSION));
        assertFalse(PosixEre.search("\\Bamd", VERSION));
    }

    @Test
    void runawayPatternsFailInsteadOfHanging() {
        assertFalse(PosixEre.search("(.|.)*(.|.)*(.|.)*(.|.)*(.|.)*X", "0123456789012345678901234567890123456789"));
        // Stacked repeats loop over the empty string without reading the subject, so the step count never grew.
        assertFalse(PosixEre.search("7" + "*".repeat(40) + ".**" + "*".repeat(40) + "X", "6.1.0-fuzz-0123456789"));
    }

    private static final int REG_EXTENDED = 1;
    private static final int REG_NOSUB = 8;

    private static final String[] PATTERN_TOKENS = {
        "a", "b", "0", "1", "6", ".", "-", "^", "$", "*", "+", "?", "{", "}", "{1}", "{2,}", "{,2}", "{1,2}",
        "{0}", "{2,1}", "{x", ",", "(", ")", "|", "[", "]", "[a-c]", "[^a]", "[]a]", "[a-]", "[-a]", "[^-]",
        "[[:digit:]]", "[[:alpha:]-z]", "[[.a.]]", "[[=a=]]", "[[.ab.]]", "[[.-.]-a]", "[[:nosuch:]]",
        "[a-c-e]", "[!--]", "[\u00e0-\u00ff]", "[\\]", "\\", "\\1", "\\2", "\\w", "\\W", "\\s", "\\S",
        "\\b", "\\B", "\\<", "\\>", "\\`", "\\'", "\\.", "\\(", "\\{", "\\|", "\u00e9",
    };
    private static final String SUBJECT_CHARS = "ab016.-_ ]\\\u00e9";

    @Test
    void agreesWithTheCLibrary() {
        Memory regex = new Memory(256); // regex_t is 64 bytes on LP64 glibc
        try (CLocaleLibc glibc = CLocaleLibc.open()) {
            CLocaleLibc.LibC libc = glibc.libc();
            Random random = new Random(30);
            List<String> failures = new ArrayList<>();
            int compiled = 0;
            int matched = 0;
            int cases = 60_000;
            for (int i = 0; i < cases && failures.size() < 10; i++) {
                StringBuilder p = new StringBuilder();
                int tokens = 1 + random.nextInt(6);
                for (int t = 0; t < tokens; t++) {
                    p.append(PATTERN_TOKENS[random.nextInt(PATTERN_TOKENS.length)]);
                }
                String pattern = p.toString();
                boolean glibcCompiles = libc.regcomp(regex, cString(pattern), REG_EXTENDED | REG_NOSUB) == 0;
                boolean ours = PosixEre.compile(pattern).isPresent();
                if (glibcCompiles != ours) {
                    failures.add("regcomp(\"" + pattern + "\") " + (glibcCompiles ? "compiles" : "fails"));
                    if (glibcCompiles) {
                        libc.regfree(regex);
                    }
                    continue;
                }
                if (!glibcCompiles) {
                    continue;
                }
                compiled++;
                for (int k = 0; k < 8; k++) {
                    String subject = k == 0 ? VERSION : randomSubject(random);
                    boolean expected = libc.regexec(regex, cString(subject), 0, null, 0) == 0;
                    boolean actual = PosixEre.search(pattern, subject);
                    if (expected) {
                        matched++;
                    }
                    if (expected != actual) {
                        failures.add("regexec(\"" + pattern + "\", \"" + subject + "\") is " + expected);
                    }
                }
                libc.regfree(regex);
            }
            assertEquals(List.of(), failures);
            assertTrue(compiled > cases / 10 && matched > cases / 10, "too few interesting cases: " + compiled + ", " + matched);
        }
    }

    private static String randomSubject(Random random) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(7);
        for (int k = 0; k < length; k++) {
            s.append(SUBJECT_CHARS.charAt(random.nextInt(SUBJECT_CHARS.length())));
        }
        return s.toString();
    }

    private static byte[] cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }
}

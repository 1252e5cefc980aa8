package modtools.deps.index;

import java.nio.charset.StandardCharsets;

/**
 * {@code fnmatch(pattern, string, 0)} as glibc 2.36 evaluates it in the C locale, which is
 * where kmod runs it (no kmod tool calls setlocale): {@code *}, {@code ?}, bracket
 * expressions with ranges, negation by {@code !} (and by {@code ^} unless
 * {@code POSIXLY_CORRECT} is set), {@code [:class:]}, {@code [=c=]}, {@code [.c.]}, and
 * backslash escapes. No flags: {@code *} and {@code ?} also match {@code /} and a leading
 * {@code .}. Matching is on bytes; ranges and classes use byte values and ASCII classes.
 *
 * <p>glibc's corner cases are kept on purpose: an unterminated {@code [} matches itself, a
 * trailing backslash matches nothing, an unknown class name fails the whole match, a class
 * name containing a byte outside {@code a..y} is read as plain bracket characters, and
 * {@code *} commits to the leftmost match of the segment up to the next {@code *}.
 */
public final class Fnmatch {
    /** glibc's CHAR_CLASS_MAX_LENGTH (CHARCLASS_NAME_MAX). */
    private static final int CLASS_NAME_MAX = 2048;
    private static final boolean CARET_NEGATES = System.getenv("POSIXLY_CORRECT") == null;

    private static final int FAIL = 0;
    private static final int UNTERMINATED = 1;
    private static final int IN_SET = 2;
    private static final int NOT_IN_SET = 3;

    private final byte[] pattern;
    private final int patternEnd;
    private final byte[] string;
    private final int stringEnd;
    private final boolean caretNegates;
    /** Where the bracket expression just evaluated ends (after its ']'). */
    private int bracketEnd;

    private Fnmatch(byte[] pattern, byte[] string, boolean caretNegates) {
        this.pattern = pattern;
        this.patternEnd = cLength(pattern);
        this.string = string;
        this.stringEnd = cLength(string);
        this.caretNegates = caretNegates;
    }

    /** Both strings as ISO-8859-1 bytes; each ends at its first NUL, as a C string would. */
    public static boolean matches(String pattern, String string) {
        return matches(pattern.getBytes(StandardCharsets.ISO_8859_1), string.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Each array ends at its first NUL byte, or at its end. */
    public static boolean matches(byte[] pattern, byte[] string) {
        return matches(pattern, string, CARET_NEGATES);
    }

    /**
     * As {@link #matches(byte[], byte[])}, with glibc's reading of {@code [^...]} chosen
     * explicitly: negation when {@code caretNegates}, a plain {@code ^} otherwise (glibc
     * decides by the environment variable POSIXLY_CORRECT).
     */
    public static boolean matches(byte[] pattern, byte[] string, boolean caretNegates) {
        return new Fnmatch(pattern, string, caretNegates).match(0, 0, null);
    }

    private static int cLength(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return bytes.length;
    }

    /** The pattern byte at i, or 0 (the terminator) at and past its end. */
    private int pc(int i) {
        return i < patternEnd ? pattern[i] & 0xff : 0;
    }

    private int sc(int i) {
        return string[i] & 0xff;
    }

    /** Where a '*' handed matching back to its caller: the star and the string position. */
    private static final class Resume {
        int pattern = -1;
        int string;
    }

    /**
     * Matches pattern from p against string from n to its end. With {@code resume} set, the
     * match stops successfully at the next '*' and records where (glibc's "ends").
     */
    private boolean match(int p, int n, Resume resume) {
        int c;
        while ((c = pc(p++)) != 0) {
            switch (c) {
                case '?':
                    if (n == stringEnd) {
                        return false;
                    }
                    break;
                case '\\':
                    c = pc(p++);
                    if (c == 0) {
                        return false; // a trailing backslash matches nothing
                    }
                    if (n == stringEnd || sc(n) != c) {
                        return false;
                    }
                    break;
                case '*': {
                    if (resume != null) {
                        resume.pattern = p - 1;
                        resume.string = n;
                        return true;
                    }
                    for (c = pc(p++); c == '?' || c == '*'; c = pc(p++)) {
                        if (c == '?') {
                            if (n == stringEnd) {
                                return false;
                            }
                            n++;
                        }
                    }
                    if (c == 0) {
                        return true;
                    }
                    Resume end = new Resume();
                    boolean found = false;
                    if (c == '[') {
                        for (--p; n < stringEnd; ++n) {
                            if (match(p, n, end)) {
                                found = true;
                                break;
                            }
                        }
                    } else {
                        if (c == '\\') {
                            c = pc(p);
                        }
                        for (--p; n < stringEnd; ++n) {
                            if (sc(n) == c && match(p, n, end)) {
                                found = true;
                                break;
                            }
                        }
                    }
                    if (!found) {
                        return false;
                    }
                    if (end.pattern < 0) {
                        return true;
                    }
                    p = end.pattern;
                    n = end.string;
                    continue; // at the next star, without consuming a string byte
                }
                case '[': {
                    if (n == stringEnd) {
                        return false;
                    }
                    int open = p;
                    boolean negated = pc(p) == '!' || (caretNegates && pc(p) == '^');
                    if (negated) {
                        p++;
                    }
                    switch (bracket(p, sc(n))) {
                        case FAIL:
                            return false;
                        case UNTERMINATED:
                            // '[' is an ordinary character; go on right after it
                            p = open;
                            if (sc(n) != '[') {
                                return false;
                            }
                            break;
                        case IN_SET:
                            if (negated) {
                                return false;
                            }
                            p = bracketEnd;
                            break;
                        default:
                            if (!negated) {
                                return false;
                            }
                            p = bracketEnd;
                            break;
                    }
                    break;
                }
                default:
                    if (n == stringEnd || c != sc(n)) {
                        return false;
                    }
                    break;
            }
            n++;
        }
        return n == stringEnd;
    }

    /** Item kinds inside a bracket expression. */
    private static final int ITEM_DONE = 0;    // a class or equivalence class; c holds the next byte
    private static final int ITEM_CHAR = 1;    // a plain (or escaped) byte in c
    private static final int ITEM_SYMBOL = 2;  // a collating symbol: low bound set, c holds the next byte

    /**
     * Evaluates the bracket expression whose first item starts at p (after '[' and any
     * negation) for the byte fn. Sets {@link #bracketEnd} for IN_SET and NOT_IN_SET.
     */
    private int bracket(int p, int fn) {
        int c = pc(p++);
        for (;;) {
            int kind;
            int low = 0;
            if (c == '\\') {
                if (pc(p) == 0) {
                    return FAIL;
                }
                c = pc(p++);
                kind = ITEM_CHAR;
            } else if (c == '[' && pc(p) == ':') {
                int start = p;
                StringBuilder name = new StringBuilder();
                kind = ITEM_DONE;
                for (;;) {
                    if (name.length() == CLASS_NAME_MAX) {
                        return FAIL;
                    }
                    c = pc(++p);
                    if (c == ':' && pc(p + 1) == ']') {
                        p += 2;
                        break;
                    }
                    if (c < 'a' || c >= 'z') {
                        // cannot be a class name: '[' is a plain member
                        p = start;
                        c = '[';
                        kind = ITEM_CHAR;
                        break;
                    }
                    name.append((char) c);
                }
                if (kind == ITEM_DONE) {
                    CharClass cls = CharClass.named(name.toString());
                    if (cls == null) {
                        return FAIL;
                    }
                    if (cls.contains(fn)) {
                        return skipRest(p);
                    }
                    c = pc(p++);
                }
            } else if (c == '[' && pc(p) == '=') {
                int start = p;
                c = pc(++p);
                if (c == 0) {
                    p = start;
                    c = '[';
                    kind = ITEM_CHAR;
                } else {
                    int member = c;
                    c = pc(++p);
                    if (c != '=' || pc(p + 1) != ']') {
                        p = start;
                        c = '[';
                        kind = ITEM_CHAR;
                    } else {
                        p += 2;
                        if (fn == member) {
                            return skipRest(p);
                        }
                        c = pc(p++);
                        kind = ITEM_DONE;
                    }
                }
            } else if (c == 0) {
                return UNTERMINATED;
            } else if (c == '[' && pc(p) == '.') {
                int start = p;
                p = collatingSymbolEnd(p);
                if (p < 0) {
                    return FAIL;
                }
                boolean range = pc(p) == '-' && pc(p + 1) != 0;
                if (!range && fn == pc(start + 1)) {
                    return skipRest(p);
                }
                low = pc(start + 1);
                c = pc(p++);
                kind = ITEM_SYMBOL;
            } else {
                kind = ITEM_CHAR;
            }

            if (kind == ITEM_CHAR) {
                boolean range = pc(p) == '-' && pc(p + 1) != 0 && pc(p + 1) != ']';
                if (!range && c == fn) {
                    return skipRest(p);
                }
                low = c;
                c = pc(p++);
            }

            if (kind != ITEM_DONE && c == '-' && pc(p) != ']') {
                int high = pc(p++);
                if (high == '[' && pc(p) == '.') {
                    int start = p;
                    p = collatingSymbolEnd(p);
                    if (p < 0) {
                        return FAIL;
                    }
                    high = pc(start + 1);
                } else {
                    if (high == '\\') {
                        high = pc(p++);
                    }
                    if (high == 0) {
                        return FAIL;
                    }
                }
                if (low <= fn && fn <= high) {
                    return skipRest(p);
                }
                c = pc(p++);
            }

            if (c == ']') {
                bracketEnd = p;
                return NOT_IN_SET;
            }
        }
    }

    /**
     * A collating symbol {@code [.x.]} whose '.' is at {@code dot}: the position after its
     * closing ".]", or -1 when it never closes or names more than one character (the C locale
     * has no multi-character collating elements).
     */
    private int collatingSymbolEnd(int dot) {
        int p = dot;
        int length = 0;
        for (;;) {
            int c = pc(++p);
            if (c == '.' && pc(p + 1) == ']') {
                return length == 1 ? p + 2 : -1;
            }
            if (c == 0) {
                return -1;
            }
            length++;
        }
    }

    /** After a member matched: finds the end of the bracket expression, as glibc skips it. */
    private int skipRest(int p) {
        int c;
        while ((c = pc(p++)) != ']') {
            if (c == 0) {
                return UNTERMINATED;
            }
            if (c == '\\') {
                if (pc(p) == 0) {
                    return FAIL;
                }
                ++p;
            } else if (c == '[' && pc(p) == ':') {
                int length = 0;
                int start = p;
                for (;;) {
                    c = pc(++p);
                    if (++length == CLASS_NAME_MAX) {
                        return FAIL;
                    }
                    if (pc(p) == ':' && pc(p + 1) == ']') {
                        break;
                    }
                    if (c < 'a' || c >= 'z') {
                        p = start - 2;
                        break;
                    }
                }
                p += 2;
            } else if (c == '[' && pc(p) == '=') {
                c = pc(++p);
                if (c == 0) {
                    return FAIL;
                }
                c = pc(++p);
                if (c != '=' || pc(p + 1) != ']') {
                    return FAIL;
                }
                p += 2;
            } else if (c == '[' && pc(p) == '.') {
                for (;;) {
                    c = pc(++p);
                    if (c == 0) {
                        return FAIL;
                    }
                    if (c == '.' && pc(p + 1) == ']') {
                        break;
                    }
                }
                p += 2;
            }
        }
        bracketEnd = p;
        return IN_SET;
    }

    /** The character classes of the C locale; bytes above 0x7f belong to none. */
    private enum CharClass {
        ALNUM, ALPHA, BLANK, CNTRL, DIGIT, GRAPH, LOWER, PRINT, PUNCT, SPACE, UPPER, XDIGIT;

        static CharClass named(String name) {
            for (CharClass c : values()) {
                if (c.name().toLowerCase(java.util.Locale.ROOT).equals(name)) {
                    return c;
                }
            }
            return null;
        }

        boolean contains(int b) {
            boolean upper = b >= 'A' && b <= 'Z';
            boolean lower = b >= 'a' && b <= 'z';
            boolean digit = b >= '0' && b <= '9';
            boolean graph = b > 0x20 && b < 0x7f;
            switch (this) {
                case ALNUM: return upper || lower || digit;
                case ALPHA: return upper || lower;
                case BLANK: return b == ' ' || b == '\t';
                case CNTRL: return b < 0x20 || b == 0x7f;
                case DIGIT: return digit;
                case GRAPH: return graph;
                case LOWER: return lower;
                case PRINT: return graph || b == ' ';
                case PUNCT: return graph && !(upper || lower || digit);
                case SPACE: return b == ' ' || (b >= '\t' && b <= '\r');
                case UPPER: return upper;
                case XDIGIT: return digit || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
                default: return false;
            }
        }
    }
}

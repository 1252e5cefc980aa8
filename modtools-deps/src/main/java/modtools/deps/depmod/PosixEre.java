package modtools.deps.depmod;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * POSIX extended regular expressions as glibc 2.36 compiles them with
 * {@code regcomp(REG_EXTENDED | REG_NOSUB)} in the C locale, which is how depmod matches the
 * kernel version of {@code override} and {@code external} lines. The pattern is parsed by
 * glibc's rules (its errors included: a pattern glibc refuses matches nothing) and rewritten
 * for java.util.regex. depmod only asks whether the pattern matches somewhere in the string,
 * which both engines answer alike whatever match each would prefer.
 *
 * <p>glibc's dialect: '^' and '$' are anchors anywhere; '*', '+', '?' and '{' at the start of
 * an expression are errors; an unmatched ')' and a lone '}' are literals; {@code \1} to
 * {@code \9} refer back to closed groups of the same alternative; GNU's
 * {@code \w \W \s \S \b \B \< \> \` \'}; inside brackets a backslash is a member,
 * {@code [:class:]} is a class of the C locale and {@code [=c=]} and {@code [.c.]} name one byte.
 * Strings are ISO-8859-1 text standing for bytes.
 *
 * <p>Not copied: glibc's matcher misses some matches of a back reference to a group under an
 * interval ({@code (a){0,2}\1} does not find "aa"); here such a pattern matches as written.
 */
final class PosixEre {
    /** RE_DUP_MAX. */
    private static final int DUP_MAX = 0x7fff;
    /** BRACKET_NAME_BUF_SIZE: longest class or collating name glibc reads. */
    private static final int BRACKET_NAME_MAX = 32;
    /** Regex steps allowed per match; a pathological pattern fails instead of hanging depmod. */
    private static final long STEP_LIMIT = 50_000_000L;
    private static final String WORD = "[A-Za-z0-9_]";

    private enum Type {
        CHARACTER, END, TRAILING_BACKSLASH, ALT, STAR, PLUS, QUESTION, OPEN_DUP_NUM, CLOSE_DUP_NUM,
        OPEN_SUBEXP, CLOSE_SUBEXP, OPEN_BRACKET, PERIOD, ANCHOR, BACK_REF, WORD, NOT_WORD, SPACE, NOT_SPACE,
        // inside brackets
        OPEN_COLLATING, OPEN_EQUIVALENCE, OPEN_CLASS, RANGE, CLOSE_BRACKET, NON_MATCH
    }

    /** A token: its type, its byte (the anchor's or escape's letter, the group index), its length. */
    private record Token(Type type, int c, int length) {}

    private enum ElementKind { BYTE, COLLATING, EQUIVALENCE, CLASS }

    /** One item of a bracket expression. */
    private record Element(ElementKind kind, int c, String name) {}

    /** A pattern glibc's regcomp refuses. */
    private static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A match that went past {@link #STEP_LIMIT}. */
    private static final class TooSlow extends RuntimeException {
        TooSlow() {
            super(null, null, false, false);
        }
    }

    private final String re;
    /** Where the token after {@link #token} starts. */
    private int pos;
    private Token token;
    /** Groups opened so far (glibc's re_nsub). */
    private int groups;
    /** Bit n set once group n+1 (n < 9) is closed: glibc's completed_bkref_map. */
    private int completed;

    private PosixEre(String re) {
        this.re = re;
    }

    /** Whether regcomp accepts {@code ere} and regexec then finds it in {@code subject}. */
    static boolean search(String ere, String subject) {
        return compile(ere).map(p -> find(p, subject)).orElse(false);
    }

    /** The pattern for java.util.regex, or empty where glibc's regcomp fails. */
    static Optional<Pattern> compile(String ere) {
        PosixEre parser = new PosixEre(ere);
        try {
            parser.fetch();
            return Optional.of(Pattern.compile(parser.regExp(0)));
        } catch (Invalid e) {
            return Optional.empty();
        }
    }

    /** regexec's answer, or false for a match too costly to decide. */
    static boolean find(Pattern pattern, String subject) {
        try {
            return pattern.matcher(new CountingText(subject)).find();
        } catch (TooSlow e) {
            return false;
        }
    }

    /** The subject, counting the engine's reads to stop runaway backtracking. */
    private static final class CountingText implements CharSequence {
        private final String text;
        private long steps;

        CountingText(String text) {
            this.text = text;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (++steps > STEP_LIMIT) {
                throw new TooSlow();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private int at(int i) {
        return re.charAt(i) & 0xff;
    }

    private void fetch() {
        token = peek(pos);
        pos += token.length();
    }

    /** glibc's peek_token with RE_SYNTAX_POSIX_EXTENDED. */
    private Token peek(int p) {
        if (p >= re.length()) {
            return new Token(Type.END, 0, 0);
        }
        int c = at(p);
        if (c == '\\') {
            if (p + 1 >= re.length()) {
                return new Token(Type.TRAILING_BACKSLASH, c, 1);
            }
            int c2 = at(p + 1);
            Type type = switch (c2) {
                case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> Type.BACK_REF;
                case '<', '>', 'b', 'B', '`', '\'' -> Type.ANCHOR;
                case 'w' -> Type.WORD;
                case 'W' -> Type.NOT_WORD;
                case 's' -> Type.SPACE;
                case 'S' -> Type.NOT_SPACE;
                default -> Type.CHARACTER;
            };
            return new Token(type, c2, 2);
        }
        Type type = switch (c) {
            case '|' -> Type.ALT;
            case '*' -> Type.STAR;
            case '+' -> Type.PLUS;
            case '?' -> Type.QUESTION;
            case '{' -> Type.OPEN_DUP_NUM;
            case '}' -> Type.CLOSE_DUP_NUM;
            case '(' -> Type.OPEN_SUBEXP;
            case ')' -> Type.CLOSE_SUBEXP;
            case '[' -> Type.OPEN_BRACKET;
            case '.' -> Type.PERIOD;
            case '^', '$' -> Type.ANCHOR;
            default -> Type.CHARACTER;
        };
        return new Token(type, c, 1);
    }

    /** parse_reg_exp: alternatives up to the end or, nested, up to ')'. */
    private String regExp(int nest) throws Invalid {
        int initial = completed;
        StringBuilder out = new StringBuilder(branch(nest));
        while (token.type() == Type.ALT) {
            fetch();
            out.append('|');
            if (token.type() != Type.ALT && token.type() != Type.END
                    && (nest == 0 || token.type() != Type.CLOSE_SUBEXP)) {
                // a group closed in one alternative cannot be referred to from the next
                int accumulated = completed;
                completed = initial;
                out.append(branch(nest));
                completed |= accumulated;
            }
        }
        return out.toString();
    }

    /** parse_branch: a sequence of expressions. */
    private String branch(int nest) throws Invalid {
        StringBuilder out = new StringBuilder(expression(nest));
        while (token.type() != Type.ALT && token.type() != Type.END
                && (nest == 0 || token.type() != Type.CLOSE_SUBEXP)) {
            out.append(expression(nest));
        }
        return out.toString();
    }

    /** parse_expression: one atom and the repetitions applied to it. */
    private String expression(int nest) throws Invalid {
        String atom;
        switch (token.type()) {
            case CHARACTER, CLOSE_SUBEXP, CLOSE_DUP_NUM -> atom = literal(token.c());
            case OPEN_SUBEXP -> atom = group(nest + 1);
            case OPEN_BRACKET -> atom = bracket();
            case BACK_REF -> {
                int index = token.c() - '1';
                if ((completed & (1 << index)) == 0) {
                    throw new Invalid("REG_ESUBREG");
                }
                atom = "(?:\\" + (index + 1) + ")";
            }
            case OPEN_DUP_NUM, STAR, PLUS, QUESTION -> throw new Invalid("REG_BADRPT");
            case ANCHOR -> {
                // glibc lets no repetition follow an anchor: "^*" is an error
                atom = anchor(token.c());
                fetch();
                return atom;
            }
            case PERIOD -> atom = "[^\\x{0}]";
            case WORD -> atom = WORD;
            case NOT_WORD -> atom = "[^A-Za-z0-9_]";
            case SPACE -> atom = "[\\t\\n\\x{b}\\f\\r ]";
            case NOT_SPACE -> atom = "[^\\t\\n\\x{b}\\f\\r ]";
            case ALT, END -> {
                return "";
            }
            case TRAILING_BACKSLASH -> throw new Invalid("REG_EESCAPE");
            default -> throw new IllegalStateException("token outside brackets: " + token);
        }
        fetch();
        Repeat repeat = null;
        while (token.type() == Type.STAR || token.type() == Type.PLUS || token.type() == Type.QUESTION
                || token.type() == Type.OPEN_DUP_NUM) {
            Repeat next = repeat();
            if (repeat == null) {
                repeat = next;
            } else if (repeat.min() <= 1 && repeat.times(next) != null) {
                repeat = repeat.times(next);
            } else {
                atom = repeat.of(atom);
                repeat = next;
            }
        }
        return repeat == null ? atom : repeat.of(atom);
    }

    /**
     * A count range, {@code max} -1 for no bound. Repeats in a row fold into one where the
     * counts allow ("a**", "a+?", "a{0,3}*"): as nested loops over a part that may match
     * nothing, java.util.regex would try every way of splitting the empty string among them.
     */
    private record Repeat(int min, int max) {
        /**
         * This count repeated by {@code outer}'s, as one range: exact when this one starts at 0
         * or 1, since then every total between the products is reached; null past RE_DUP_MAX.
         */
        Repeat times(Repeat outer) {
            long min = (long) this.min * outer.min;
            long max = this.max == -1 || outer.max == -1 ? -1 : (long) this.max * outer.max;
            if (min > DUP_MAX || max > DUP_MAX) {
                return null;
            }
            return new Repeat((int) min, this.max != 0 && outer.max != 0 ? (int) max : 0);
        }

        String of(String atom) {
            // the group keeps "a*+" from reading as Java's possessive "*+"
            return "(?:" + atom + "){" + min + "," + (max == -1 ? "" : Integer.toString(max)) + "}";
        }
    }

    private static String literal(int c) {
        return "\\x{" + Integer.toHexString(c) + "}";
    }

    private static String anchor(int c) {
        String notBefore = "(?<!" + WORD + ")";
        String before = "(?<=" + WORD + ")";
        String notAfter = "(?!" + WORD + ")";
        String after = "(?=" + WORD + ")";
        return switch (c) {
            case '^', '`' -> "\\A";
            case '$', '\'' -> "\\z";
            case '<' -> notBefore + after;
            case '>' -> before + notAfter;
            case 'b' -> "(?:" + notBefore + after + "|" + before + notAfter + ")";
            case 'B' -> "(?:" + before + after + "|" + notBefore + notAfter + ")";
            default -> throw new IllegalStateException("not an anchor: " + (char) c);
        };
    }

    /** parse_sub_exp, entered on '(' and left on its ')'. */
    private String group(int nest) throws Invalid {
        int index = groups++;
        fetch();
        String inner = "";
        if (token.type() != Type.CLOSE_SUBEXP) {
            inner = regExp(nest);
            if (token.type() != Type.CLOSE_SUBEXP) {
                throw new Invalid("REG_EPAREN");
            }
        }
        if (index < 9) {
            completed |= 1 << index;
        }
        return "(" + inner + ")";
    }

    /** parse_dup_op: the count of the current repetition token. */
    private Repeat repeat() throws Invalid {
        int min;
        int max;
        if (token.type() == Type.OPEN_DUP_NUM) {
            min = number();
            max = 0;
            if (min == -1) {
                if (token.type() == Type.CHARACTER && token.c() == ',') {
                    min = 0; // "{,m}" is "{0,m}"
                } else {
                    throw new Invalid("REG_BADBR");
                }
            }
            if (min != -2) {
                if (token.type() == Type.CLOSE_DUP_NUM) {
                    max = min;
                } else if (token.type() == Type.CHARACTER && token.c() == ',') {
                    max = number();
                } else {
                    max = -2;
                }
            }
            if (min == -2 || max == -2) {
                throw new Invalid(token.type() == Type.END ? "REG_EBRACE" : "REG_BADBR");
            }
            if ((max != -1 && min > max) || token.type() != Type.CLOSE_DUP_NUM) {
                throw new Invalid("REG_BADBR");
            }
            if ((max == -1 ? min : max) > DUP_MAX) {
                throw new Invalid("REG_ESIZE");
            }
        } else {
            min = token.type() == Type.PLUS ? 1 : 0;
            max = token.type() == Type.QUESTION ? 1 : -1;
        }
        fetch();
        return new Repeat(min, max);
    }

    /** fetch_number: -1 for no digits, -2 for anything but digits; stops on '}' or ','. */
    private int number() {
        int n = -1;
        for (;;) {
            fetch();
            int c = token.c();
            if (token.type() == Type.END) {
                return -2;
            }
            if (token.type() == Type.CLOSE_DUP_NUM || c == ',') {
                return n;
            }
            if (token.type() != Type.CHARACTER || c < '0' || c > '9' || n == -2) {
                n = -2;
            } else {
                n = n == -1 ? c - '0' : Math.min(DUP_MAX + 1, n * 10 + c - '0');
            }
        }
    }

    /** glibc's peek_token_bracket. */
    private Token peekBracket(int p) {
        if (p >= re.length()) {
            return new Token(Type.END, 0, 0);
        }
        int c = at(p);
        if (c == '[') {
            int c2 = p + 1 < re.length() ? at(p + 1) : 0;
            return switch (c2) {
                case '.' -> new Token(Type.OPEN_COLLATING, c2, 2);
                case '=' -> new Token(Type.OPEN_EQUIVALENCE, c2, 2);
                case ':' -> new Token(Type.OPEN_CLASS, c2, 2);
                default -> new Token(Type.CHARACTER, c, 1);
            };
        }
        Type type = switch (c) {
            case '-' -> Type.RANGE;
            case ']' -> Type.CLOSE_BRACKET;
            case '^' -> Type.NON_MATCH;
            default -> Type.CHARACTER;
        };
        return new Token(type, c, 1);
    }

    /** parse_bracket_exp, entered after '[' and left after its ']'. */
    private String bracket() throws Invalid {
        boolean[] members = new boolean[256];
        Token t = peekBracket(pos);
        boolean negated = t.type() == Type.NON_MATCH;
        if (negated) {
            pos += t.length();
            t = peekBracket(pos);
        }
        if (t.type() == Type.END) {
            throw new Invalid("REG_BADPAT");
        }
        if (t.type() == Type.CLOSE_BRACKET) {
            t = new Token(Type.CHARACTER, t.c(), t.length()); // a first ']' is a member
        }
        boolean first = true;
        for (;;) {
            Element start = element(t, first);
            first = false;
            t = peekBracket(pos);
            Token endToken = null;
            if (start.kind() != ElementKind.CLASS && start.kind() != ElementKind.EQUIVALENCE) {
                if (t.type() == Type.END) {
                    throw new Invalid("REG_EBRACK");
                }
                if (t.type() == Type.RANGE) {
                    Token next = peekBracket(pos + t.length());
                    if (next.type() == Type.END) {
                        throw new Invalid("REG_EBRACK");
                    }
                    if (next.type() == Type.CLOSE_BRACKET) {
                        t = new Token(Type.CHARACTER, '-', 1); // a '-' before ']' is a member
                    } else {
                        pos += t.length();
                        endToken = next;
                    }
                }
            }
            if (endToken != null) {
                Element end = element(endToken, true);
                t = peekBracket(pos);
                addRange(members, start, end);
            } else {
                add(members, start);
            }
            if (t.type() == Type.END) {
                throw new Invalid("REG_EBRACK");
            }
            if (t.type() == Type.CLOSE_BRACKET) {
                pos += t.length();
                return characterClass(members, negated);
            }
        }
    }

    /** parse_bracket_element: consumes {@code t} and, for [: [= [., its name. */
    private Element element(Token t, boolean acceptHyphen) throws Invalid {
        pos += t.length();
        switch (t.type()) {
            case OPEN_COLLATING:
                return new Element(ElementKind.COLLATING, 0, bracketName(t.c()));
            case OPEN_EQUIVALENCE:
                return new Element(ElementKind.EQUIVALENCE, 0, bracketName(t.c()));
            case OPEN_CLASS:
                return new Element(ElementKind.CLASS, 0, bracketName(t.c()));
            case RANGE:
                // a '-' that starts no range must be the last member
                if (!acceptHyphen && peekBracket(pos).type() != Type.CLOSE_BRACKET) {
                    throw new Invalid("REG_ERANGE");
                }
                return new Element(ElementKind.BYTE, t.c(), null);
            default:
                return new Element(ElementKind.BYTE, t.c(), null);
        }
    }

    /** parse_bracket_symbol: the name up to the delimiter followed by ']'. */
    private String bracketName(int delimiter) throws Invalid {
        if (pos >= re.length()) {
            throw new Invalid("REG_EBRACK");
        }
        StringBuilder name = new StringBuilder();
        for (int i = 0;; i++) {
            if (i >= BRACKET_NAME_MAX) {
                throw new Invalid("REG_EBRACK");
            }
            int c = at(pos++);
            if (pos >= re.length()) {
                throw new Invalid("REG_EBRACK");
            }
            if (c == delimiter && at(pos) == ']') {
                break;
            }
            name.append((char) c);
        }
        pos++;
        return name.toString();
    }

    private static void add(boolean[] members, Element e) throws Invalid {
        switch (e.kind()) {
            case BYTE -> members[e.c()] = true;
            case COLLATING, EQUIVALENCE -> {
                // the C locale knows only single bytes
                if (e.name().length() != 1) {
                    throw new Invalid("REG_ECOLLATE");
                }
                members[e.name().charAt(0) & 0xff] = true;
            }
            case CLASS -> {
                CharClass cls = CharClass.named(e.name());
                for (int b = 0; b < 256; b++) {
                    if (cls.contains(b)) {
                        members[b] = true;
                    }
                }
            }
        }
    }

    private static void addRange(boolean[] members, Element start, Element end) throws Invalid {
        if (start.kind() == ElementKind.CLASS || start.kind() == ElementKind.EQUIVALENCE
                || end.kind() == ElementKind.CLASS || end.kind() == ElementKind.EQUIVALENCE) {
            throw new Invalid("REG_ERANGE");
        }
        int low = collationValue(start);
        int high = collationValue(end);
        if (low > high) {
            throw new Invalid("REG_ERANGE");
        }
        for (int b = low; b <= high; b++) {
            members[b] = true;
        }
    }

    /** In the C locale a byte collates as its value; a collating name must be one byte. */
    private static int collationValue(Element e) throws Invalid {
        if (e.kind() == ElementKind.BYTE) {
            return e.c();
        }
        if (e.name().length() != 1) {
            throw new Invalid("REG_ECOLLATE");
        }
        return e.name().charAt(0) & 0xff;
    }

    /** The members as a Java class listing runs of bytes; negation keeps every other byte. */
    private static String characterClass(boolean[] members, boolean negated) {
        StringBuilder out = new StringBuilder("[");
        int b = 0;
        while (b < 256) {
            if (members[b] == negated) {
                b++;
                continue;
            }
            int runStart = b;
            while (b < 256 && members[b] != negated) {
                b++;
            }
            out.append(literal(runStart));
            if (b - 1 > runStart) {
                out.append('-').append(literal(b - 1));
            }
        }
        return out.length() == 1 ? "(?!)" : out.append(']').toString();
    }

    /** The classes of the C locale; bytes above 0x7f belong to none. */
    private enum CharClass {
        ALNUM, ALPHA, BLANK, CNTRL, DIGIT, GRAPH, LOWER, PRINT, PUNCT, SPACE, UPPER, XDIGIT;

        static CharClass named(String name) throws Invalid {
            for (CharClass c : values()) {
                if (c.name().toLowerCase(java.util.Locale.ROOT).equals(name)) {
                    return c;
                }
            }
            throw new Invalid("REG_ECTYPE");
        }

        boolean contains(int b) {
            boolean upper = b >= 'A' && b <= 'Z';
            boolean lower = b >= 'a' && b <= 'z';
            boolean digit = b >= '0' && b <= '9';
            boolean graph = b > 0x20 && b < 0x7f;
            return switch (this) {
                case ALNUM -> upper || lower || digit;
                case ALPHA -> upper || lower;
                case BLANK -> b == ' ' || b == '\t';
                case CNTRL -> b < 0x20 || b == 0x7f;
                case DIGIT -> digit;
                case GRAPH -> graph;
                case LOWER -> lower;
                case PRINT -> graph || b == ' ';
                case PUNCT -> graph && !(upper || lower || digit);
                case SPACE -> b == ' ' || (b >= '\t' && b <= '\r');
                case UPPER -> upper;
                case XDIGIT -> digit || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
            };
        }
    }
}

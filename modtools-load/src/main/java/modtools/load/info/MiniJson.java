package modtools.load.info;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the small documents the loader keeps and lsmod prints, without a library: the
 * commands that read and write them run on every load, and a JSON library's start-up would
 * cost more than the load itself. Values are {@code Map} (insertion order kept), {@code List},
 * {@code String}, {@code Long}, {@code Boolean} and {@code null}. Output is ASCII: anything
 * else is escaped.
 */
public final class MiniJson {
    private MiniJson() {}

    /** Thrown for text that is not one JSON value of the kinds above. */
    public static final class ParseException extends Exception {
        ParseException(String message, int at) {
            super(message + " at offset " + at, null, false, false);
        }
    }

    // ------------------------------------------------------------------ writing

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    public static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof Long || value instanceof Integer) {
            out.append(value);
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string((String) e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    // ------------------------------------------------------------------ reading

    public static Object parse(String text) throws ParseException {
        MiniJson.Reader r = new Reader(text);
        r.space();
        Object value = r.value(0);
        r.space();
        if (r.at != text.length()) {
            throw new ParseException("text after the value", r.at);
        }
        return value;
    }

    private static final class Reader {
        private static final int MAX_DEPTH = 64;
        private final String s;
        private int at;

        Reader(String s) {
            this.s = s;
        }

        void space() {
            while (at < s.length() && (s.charAt(at) == ' ' || s.charAt(at) == '\n' || s.charAt(at) == '\t'
                    || s.charAt(at) == '\r')) {
                at++;
            }
        }

        Object value(int depth) throws ParseException {
            if (depth > MAX_DEPTH) {
                throw new ParseException("nested too deeply", at);
            }
            if (at >= s.length()) {
                throw new ParseException("unexpected end", at);
            }
            char c = s.charAt(at);
            switch (c) {
                case '{' -> {
                    return object(depth);
                }
                case '[' -> {
                    return array(depth);
                }
                case '"' -> {
                    return string();
                }
                case 't' -> {
                    return word("true", Boolean.TRUE);
                }
                case 'f' -> {
                    return word("false", Boolean.FALSE);
                }
                case 'n' -> {
                    return word("null", null);
                }
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw new ParseException("unexpected '" + c + "'", at);
                }
            }
        }

        private Object word(String word, Object value) throws ParseException {
            if (!s.startsWith(word, at)) {
                throw new ParseException("expected " + word, at);
            }
            at += word.length();
            return value;
        }

        private Long number() throws ParseException {
            int start = at;
            if (s.charAt(at) == '-') {
                at++;
            }
            while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
                at++;
            }
            try {
                return Long.parseLong(s.substring(start, at));
            } catch (NumberFormatException e) {
                throw new ParseException("not a whole number", start);
            }
        }

        private String string() throws ParseException {
            at++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= s.length()) {
                    throw new ParseException("unterminated string", at);
                }
                char c = s.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= s.length()) {
                    throw new ParseException("unterminated escape", at);
                }
                char e = s.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (at + 4 > s.length()) {
                            throw new ParseException("short \\u escape", at);
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        } catch (NumberFormatException x) {
                            throw new ParseException("bad \\u escape", at);
                        }
                        at += 4;
                    }
                    default -> throw new ParseException("bad escape", at - 1);
                }
            }
        }

        private Map<String, Object> object(int depth) throws ParseException {
            at++;
            Map<String, Object> map = new LinkedHashMap<>();
            space();
            if (at < s.length() && s.charAt(at) == '}') {
                at++;
                return map;
            }
            while (true) {
                space();
                if (at >= s.length() || s.charAt(at) != '"') {
                    throw new ParseException("expected a name", at);
                }
                String key = string();
                space();
                expect(':');
                space();
                map.put(key, value(depth + 1));
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                expect('}');
                return map;
            }
        }

        private List<Object> array(int depth) throws ParseException {
            at++;
            List<Object> list = new ArrayList<>();
            space();
            if (at < s.length() && s.charAt(at) == ']') {
                at++;
                return list;
            }
            while (true) {
                space();
                list.add(value(depth + 1));
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                expect(']');
                return list;
            }
        }

        private void expect(char c) throws ParseException {
            if (at >= s.length() || s.charAt(at) != c) {
                throw new ParseException("expected '" + c + "'", at);
            }
            at++;
        }
    }
}

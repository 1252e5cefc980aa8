package modtools.cli.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One call as the client sends it: which build it expects, the directory and environment it
 * runs in, argv[0] as typed, whether the caller had closed its stderr (the client then sends
 * /dev/null in its place) and the arguments. On the wire, after a 4-byte native-endian length,
 * NUL-terminated strings: {@code MT2}, the build id, the directory, argv[0], {@code open} or
 * {@code closed}, the argument count in decimal, the arguments, then NAME=VALUE until the end.
 * Text is taken as ISO-8859-1, byte for char, as the commands take every byte string.
 */
record Request(String buildId, String cwd, String argv0, boolean stderrClosed, List<String> args,
               Map<String, String> environment) {
    static final String MAGIC = "MT2";
    /** The fields before the arguments. */
    private static final int HEAD = 6;
    /** Far above any command line and environment the kernel lets a process have (ARG_MAX: 2 MiB). */
    static final int MAX_LENGTH = 4 << 20;
    private static final int MAX_ARGS = 1 << 16;

    /** The result of reading a request: the request or why it was refused. */
    sealed interface Parsed permits Valid, Malformed {}

    record Valid(Request request) implements Parsed {}

    record Malformed(String reason) implements Parsed {}

    static Parsed parse(byte[] payload) {
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                fields.add(new String(payload, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        if (start != payload.length) {
            return new Malformed("last field not terminated");
        }
        if (fields.size() < HEAD || !fields.get(0).equals(MAGIC)) {
            return new Malformed("not a modtools request");
        }
        String stderr = fields.get(4);
        if (!stderr.equals("open") && !stderr.equals("closed")) {
            return new Malformed("stderr '" + stderr + "' is neither open nor closed");
        }
        int argc;
        try {
            argc = Integer.parseInt(fields.get(5));
        } catch (NumberFormatException e) {
            return new Malformed("argument count '" + fields.get(5) + "' is not a number");
        }
        if (argc < 0 || argc > MAX_ARGS || HEAD + argc > fields.size()) {
            return new Malformed("argument count " + argc + " does not match the request");
        }
        String cwd = fields.get(2);
        if (!cwd.startsWith("/")) {
            return new Malformed("working directory '" + cwd + "' is not absolute");
        }
        Map<String, String> env = new HashMap<>();
        for (String entry : fields.subList(HEAD + argc, fields.size())) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                return new Malformed("environment entry without a name");
            }
            env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return new Valid(new Request(fields.get(1), cwd, fields.get(3), stderr.equals("closed"),
                List.copyOf(fields.subList(HEAD, HEAD + argc)), Map.copyOf(env)));
    }
}

package modtools.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * GNU getopt_long as the kmod tools use it: clustered short options, attached or separate
 * arguments, unique prefixes of long options, argument permutation, "--", and glibc's own
 * error messages, since users and scripts see them byte for byte.
 */
public final class Getopt {
    /** A long option; {@code key} is what the parser reports for it (usually its short letter). */
    public record LongOption(String name, boolean takesArgument, char key) {}

    /**
     * One parsed option; {@code argument} is null for options without one, {@code longName}
     * is the long option's full name when it was given in long form (kmod's messages differ).
     */
    public record Option(char key, String argument, String longName) {
        Option(char key, String argument) {
            this(key, argument, null);
        }
    }

    /** The options in command-line order and the operands left over, in order. */
    public record Result(List<Option> options, List<String> operands) {}

    /** Thrown after getopt's message has been printed; the command exits with failure. */
    public static final class UsageException extends Exception {
        public UsageException() {
            super(null, null, false, false);
        }
    }

    private final String program;
    private final String shortOptions;
    private final List<LongOption> longOptions;
    private final PrintStream err;

    /** {@code program} is argv[0] as typed: glibc prefixes its messages with it. */
    public Getopt(String program, String shortOptions, List<LongOption> longOptions, PrintStream err) {
        this.program = program;
        this.shortOptions = shortOptions;
        this.longOptions = longOptions;
        this.err = err;
    }

    public Result parse(List<String> args) throws UsageException {
        List<Option> options = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (arg.startsWith("--")) {
                i = parseLong(args, i, options);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                i = parseShortCluster(args, i, options);
            } else {
                operands.add(arg);
            }
        }
        return new Result(options, operands);
    }

    private int parseLong(List<String> args, int i, List<Option> out) throws UsageException {
        String body = args.get(i).substring(2);
        int eq = body.indexOf('=');
        String name = eq < 0 ? body : body.substring(0, eq);
        LongOption match = findLong(name, body);
        if (eq >= 0) {
            if (!match.takesArgument()) {
                fail("option '--" + match.name() + "' doesn't allow an argument");
            }
            out.add(new Option(match.key(), body.substring(eq + 1), match.name()));
            return i;
        }
        if (!match.takesArgument()) {
            out.add(new Option(match.key(), null, match.name()));
            return i;
        }
        if (i + 1 >= args.size()) {
            fail("option '--" + match.name() + "' requires an argument");
        }
        out.add(new Option(match.key(), args.get(i + 1), match.name()));
        return i + 1;
    }

    private LongOption findLong(String name, String body) throws UsageException {
        List<LongOption> candidates = new ArrayList<>();
        for (LongOption o : longOptions) {
            if (o.name().equals(name)) {
                return o;
            }
            if (o.name().startsWith(name)) {
                candidates.add(o);
            }
        }
        if (candidates.isEmpty()) {
            fail("unrecognized option '--" + body + "'");
        }
        if (candidates.size() > 1 && !allSame(candidates)) {
            StringBuilder message = new StringBuilder("option '--" + name + "' is ambiguous; possibilities:");
            for (LongOption c : candidates) {
                message.append(" '--").append(c.name()).append('\'');
            }
            fail(message.toString());
        }
        return candidates.get(0);
    }

    /** glibc accepts an abbreviation that matches several entries with the same meaning. */
    private static boolean allSame(List<LongOption> candidates) {
        LongOption first = candidates.get(0);
        return candidates.stream().allMatch(c -> c.key() == first.key() && c.takesArgument() == first.takesArgument());
    }

    private int parseShortCluster(List<String> args, int i, List<Option> out) throws UsageException {
        String arg = args.get(i);
        for (int j = 1; j < arg.length(); j++) {
            char c = arg.charAt(j);
            int at = c == ':' ? -1 : shortOptions.indexOf(c);
            if (at < 0) {
                fail("invalid option -- '" + c + "'");
            }
            boolean takesArgument = at + 1 < shortOptions.length() && shortOptions.charAt(at + 1) == ':';
            if (!takesArgument) {
                out.add(new Option(c, null));
                continue;
            }
            if (j + 1 < arg.length()) {
                out.add(new Option(c, arg.substring(j + 1)));
                return i;
            }
            if (i + 1 >= args.size()) {
                fail("option requires an argument -- '" + c + "'");
            }
            out.add(new Option(c, args.get(i + 1)));
            return i + 1;
        }
        return i;
    }

    private void fail(String message) throws UsageException {
        err.println(program + ": " + message);
        err.flush();
        throw new UsageException();
    }
}

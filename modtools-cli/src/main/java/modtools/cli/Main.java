package modtools.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.cli.depmod.DepmodCommand;
import modtools.cli.link.LinkCommand;
import modtools.cli.modfs.ModfsCommand;
import modtools.cli.modinfo.ModinfoCommand;
import modtools.cli.server.ServerCommand;
import modtools.cli.symbolize.SymbolizeCommand;
import modtools.deps.KmodLevel;
import modtools.deps.cache.ReadCache;

/**
 * The multi-call entry point. The launcher passes the name it was called by in the system
 * property {@code modtools.argv0}, since Java never sees argv[0]; called as {@code modtools}
 * the first argument names the command. It also says, in {@code modtools.stderr=closed}, that
 * its caller had closed stderr, which a JVM cannot see (the launcher gives it /dev/null there).
 */
public final class Main {
    private static final String COMMANDS = "depmod insmod link lsmod modfs modinfo modprobe rmmod server symbolize";

    private Main() {}

    public static void main(String[] args) {
        // Module metadata is byte strings: ISO-8859-1 writes every char back as the byte it was read from.
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1);
        int status = dispatch(System.getProperty("modtools.argv0", "modtools"), Arrays.asList(args), out, err,
                Path.of(System.getProperty("user.dir")), System.getenv(),
                "closed".equals(System.getProperty("modtools.stderr")), ReadCache.NONE);
        out.flush();
        System.exit(status);
    }

    /**
     * One call, in this process or for a client of the server: argv[0] as typed, the
     * arguments, the streams, directory and environment it runs with, whether its caller had
     * closed stderr, and what the process keeps between calls; returns the exit status.
     */
    public static int dispatch(String argv0, List<String> args, PrintStream out, PrintStream err, Path cwd,
                               Map<String, String> environment, boolean stderrClosed, ReadCache cache) {
        Optional<Invocation> invocation = invocation(argv0, args, out, err, cwd, environment, stderrClosed, cache);
        if (invocation.isEmpty()) {
            out.println("Usage: modtools COMMAND [ARGS]\nCommands: " + COMMANDS);
            return args.isEmpty() ? 1 : 0;
        }
        return run(invocation.get().program(), invocation.get());
    }

    /**
     * The command a call names, by argv[0]'s base name or, called as modtools, by the first
     * argument; empty when modtools is asked for its usage.
     */
    public static Optional<Invocation> invocation(String argv0, List<String> args, PrintStream out, PrintStream err,
                                                  Path cwd, Map<String, String> environment, boolean stderrClosed,
                                                  ReadCache cache) {
        List<String> rest = args;
        String name = basename(argv0);
        if (name.equals("modtools")) {
            if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h")) {
                return Optional.empty();
            }
            argv0 = rest.get(0);
            name = argv0;
            rest = rest.subList(1, rest.size());
        }
        return Optional.of(new Invocation(argv0, name, rest, out, err, cwd, System.getProperty("os.version"),
                environment, stderrClosed, cache));
    }

    static int run(String name, Invocation invocation) {
        String level = invocation.environment().get(KmodLevel.VARIABLE);
        if (KmodLevel.of(level).isEmpty()) {
            invocation.err().println(name + ": " + KmodLevel.refusal(level));
            return 1;
        }
        if (Backends.COMMANDS.contains(name)) {
            return Backends.run(name, invocation);
        }
        Command command = switch (name) {
            case "modinfo" -> new ModinfoCommand();
            case "depmod" -> new DepmodCommand();
            case "link" -> new LinkCommand();
            case "modfs" -> new ModfsCommand();
            case "server" -> new ServerCommand();
            case "symbolize" -> new SymbolizeCommand();
            default -> null;
        };
        if (command == null) {
            invocation.err().println("modtools: unknown command '" + name + "' (commands: " + COMMANDS + ")");
            return 1;
        }
        return command.run(invocation);
    }

    private static String basename(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}

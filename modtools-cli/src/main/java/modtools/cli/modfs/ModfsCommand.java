package modtools.cli.modfs;

import java.nio.file.Path;
import java.util.List;
import modtools.cli.Command;
import modtools.cli.Invocation;
import modtools.contract.MountPath;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * {@code modtools modfs mount [--foreground] [DIR]} and {@code modtools modfs umount [DIR]}.
 * The command lines are declared through picocli's model, as {@code modtools link} does.
 */
public final class ModfsCommand implements Command {
    static final String NAME = "modtools modfs";

    @Override
    public int run(Invocation inv) {
        List<String> args = inv.args();
        String sub = args.isEmpty() ? "" : args.get(0);
        if (!sub.equals("mount") && !sub.equals("umount")) {
            if (sub.equals("-h") || sub.equals("--help")) {
                inv.out().println("Usage: " + NAME + " mount [--foreground] [DIR] | umount [DIR]");
                return 0;
            }
            inv.err().println(NAME + ": expected 'mount' or 'umount' (see --help)");
            return 2;
        }
        CommandSpec spec = spec(sub);
        ParseResult parsed;
        try {
            parsed = new CommandLine(spec).parseArgs(args.subList(1, args.size()).toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            inv.err().println(NAME + " " + sub + ": " + e.getMessage() + " (see --help)");
            return 2;
        }
        if (parsed.isUsageHelpRequested()) {
            inv.out().print(spec.commandLine().getUsageMessage());
            return 0;
        }
        String given = parsed.matchedPositionalValue(0, null);
        Path dir = given == null ? MountPath.byDefault(inv.environment().get(MountPath.ENVIRONMENT), inv.cwd())
                : MountPath.of(given, inv.cwd());
        Result result;
        if (sub.equals("umount")) {
            result = Unmount.run(dir);
        } else if (parsed.hasMatchedOption("--foreground")) {
            result = Foreground.run(dir);
        } else {
            result = Background.start(dir, StateDir.of(inv.environment()));
        }
        result.notes().forEach(note -> inv.err().println(NAME + " " + sub + ": " + note));
        if (result.error() != null) {
            inv.err().println(NAME + " " + sub + ": " + result.error());
            return 1;
        }
        return 0;
    }

    /** How a subcommand ended: notes worth telling (a dead mount recovered), and the error if it failed. */
    record Result(List<String> notes, String error) {
        static Result ok(List<String> notes) {
            return new Result(notes, null);
        }

        static Result failed(List<String> notes, String error) {
            return new Result(notes, error);
        }
    }

    private static CommandSpec spec(String sub) {
        CommandSpec spec = CommandSpec.create().name(NAME + " " + sub);
        spec.addPositional(PositionalParamSpec.builder().paramLabel("DIR").arity("0..1").type(String.class)
                .description("the mount point (default: $" + MountPath.ENVIRONMENT + ", else " + MountPath.DEFAULT + ")").build());
        if (sub.equals("mount")) {
            spec.usageMessage().description("Mount modfs on DIR; returns once it answers, the host running in the "
                    + "background (its pid in DIR.pid).");
            spec.addOption(OptionSpec.builder("--foreground").description("serve in this process until unmounted")
                    .build());
        } else {
            spec.usageMessage().description("Exit the live modules in reverse load order, then unmount DIR.");
        }
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help").build());
        return spec;
    }
}

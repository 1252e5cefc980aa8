package modtools.cli.modprobe;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.cli.Command;
import modtools.cli.Getopt;
import modtools.cli.Getopt.LongOption;
import modtools.cli.Invocation;
import modtools.cli.KmodLog;
import modtools.cli.KmodVersion;
import modtools.cli.ModuleParameters;
import modtools.deps.KmodLevel;
import modtools.deps.config.ConfigDump;
import modtools.deps.config.ConfigLoader;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.Module;
import modtools.deps.resolve.ModuleIndexes;
import modtools.deps.resolve.ProbeStep;
import modtools.deps.resolve.Prober;
import modtools.deps.resolve.Resolver;
import modtools.deps.resolve.Session;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.module.KernelModule;
import modtools.elf.module.ModuleFile;
import modtools.elf.module.ModuleImage;

/**
 * modprobe: kmod 30's command line, lookups, output and exit codes. Loading and unloading go
 * to the host's {@link modtools.deps.resolve.ModuleLoader}; everything before that is
 * decided here and in modtools-deps exactly as kmod decides it.
 */
public final class ModprobeCommand implements Command {
    private static final char FORCE_VERMAGIC = 1;
    private static final char FORCE_MODVERSION = 2;
    private static final char FIRST_TIME = 3;
    private static final char SHOW_MODVERSIONS = 4;
    private static final char REMOVE_HOLDERS = 5;
    private static final char SHOW_EXPORTS = 6;
    private static final char JSON = 7;
    private static final List<LongOption> LONG_OPTIONS = List.of(
            new LongOption("all", false, 'a'),
            new LongOption("remove", false, 'r'),
            new LongOption("remove-dependencies", false, REMOVE_HOLDERS),
            new LongOption("remove-holders", false, REMOVE_HOLDERS),
            new LongOption("wait", true, 'w'),
            new LongOption("resolve-alias", false, 'R'),
            new LongOption("first-time", false, FIRST_TIME),
            new LongOption("ignore-install", false, 'i'),
            new LongOption("ignore-remove", false, 'i'),
            new LongOption("use-blacklist", false, 'b'),
            new LongOption("force", false, 'f'),
            new LongOption("force-modversion", false, FORCE_MODVERSION),
            new LongOption("force-vermagic", false, FORCE_VERMAGIC),
            new LongOption("show-depends", false, 'D'),
            new LongOption("showconfig", false, 'c'),
            new LongOption("show-config", false, 'c'),
            new LongOption("show-modversions", false, SHOW_MODVERSIONS),
            new LongOption("dump-modversions", false, SHOW_MODVERSIONS),
            new LongOption("show-exports", false, SHOW_EXPORTS),
            new LongOption("dry-run", false, 'n'),
            new LongOption("show", false, 'n'),
            new LongOption("config", true, 'C'),
            new LongOption("dirname", true, 'd'),
            new LongOption("set-version", true, 'S'),
            new LongOption("syslog", false, 's'),
            new LongOption("quiet", false, 'q'),
            new LongOption("verbose", false, 'v'),
            new LongOption("version", false, 'V'),
            new LongOption("help", false, 'h'),
            new LongOption("json", false, JSON));
    private static final String SHORT_OPTIONS = "arw:RibfDcnC:d:S:sqvVh";
    private static final int DEFAULT_VERBOSITY = KmodLog.WARNING;

    private final Host host;

    public ModprobeCommand(Host host) {
        this.host = host;
    }

    /**
     * Whether a call only looks (-D, -n, -c, -R, --show-*, -V, -h) and never loads or removes:
     * only such calls may run in a shared server, since loading and removing keep their own
     * process for flock ownership and recovery. A command line getopt refuses here (the
     * backends' --modfs among them) is not known to only look.
     */
    public static boolean onlyLooks(List<String> commandLine, Map<String, String> environment) {
        return onlyLooks(options(commandLine, environment));
    }

    /** Whether a call that only looks may be run again unseen: one that logs to syslog may not. */
    public static boolean onlyLooksQuietly(List<String> commandLine, Map<String, String> environment) {
        List<Getopt.Option> options = options(commandLine, environment);
        return onlyLooks(options) && options.stream().noneMatch(o -> o.key() == 's');
    }

    private static boolean onlyLooks(List<Getopt.Option> options) {
        return options.stream().anyMatch(o -> switch (o.key()) {
            case 'D', 'n', 'c', 'R', 'V', 'h', SHOW_MODVERSIONS, SHOW_EXPORTS -> true;
            default -> false;
        });
    }

    /** The options of MODPROBE_OPTIONS and the command line; none for a line getopt refuses. */
    private static List<Getopt.Option> options(List<String> commandLine, Map<String, String> environment) {
        List<String> args = new ArrayList<>();
        String envOptions = environment.get("MODPROBE_OPTIONS");
        if (envOptions != null) {
            args.addAll(EnvironmentOptions.split(envOptions));
        }
        args.addAll(commandLine);
        Getopt.Result parsed;
        try {
            parsed = new Getopt("modprobe", SHORT_OPTIONS, LONG_OPTIONS,
                    new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.ISO_8859_1)).parse(args);
        } catch (Getopt.UsageException e) {
            return List.of();
        }
        return parsed.options();
    }

    /** The command line, as parsed; fields follow modprobe.c's variables. */
    private static final class Settings {
        boolean all, remove, removeHolders, firstTime, ignoreCommands, useBlacklist, force;
        boolean forceModversion, forceVermagic, showDepends, lookupOnly, showConfig, showModversions, showExports;
        boolean dryRun, syslog, json;
        long waitMsec;
        int verbosity = DEFAULT_VERBOSITY;
        int logPriority = KmodLog.CRIT;
        String root;
        String version;
        final List<String> configPaths = new ArrayList<>();
        /** What modprobe adds to MODPROBE_OPTIONS for the commands it runs. */
        final List<String> passedOn = new ArrayList<>();
    }

    @Override
    public int run(Invocation inv) {
        try {
            return execute(inv);
        } catch (ModprobeLog.Exit e) {
            return 1;
        } finally {
            inv.out().flush();
        }
    }

    private int execute(Invocation inv) {
        List<String> args = new ArrayList<>();
        String envOptions = host.environment().get("MODPROBE_OPTIONS");
        if (envOptions != null) {
            args.addAll(EnvironmentOptions.split(envOptions));
        }
        args.addAll(inv.args());
        ModprobeLog early = new ModprobeLog(inv.level(), inv.err(), inv.program(), DEFAULT_VERBOSITY, false);
        Getopt.Result parsed;
        try {
            parsed = new Getopt(inv.argv0(), SHORT_OPTIONS, LONG_OPTIONS, inv.err()).parse(args);
        } catch (Getopt.UsageException e) {
            return 1;
        }
        Settings s = new Settings();
        for (Getopt.Option o : parsed.options()) {
            switch (o.key()) {
                case 'a' -> {
                    s.logPriority = KmodLog.WARNING;
                    s.all = true;
                }
                case 'r' -> s.remove = true;
                case REMOVE_HOLDERS -> s.removeHolders = true;
                case 'w' -> {
                    Optional<Long> wait = parseUnsigned(o.argument());
                    if (wait.isEmpty()) {
                        early.error("unexpected wait value '" + o.argument() + "'.");
                        return 1;
                    }
                    s.waitMsec = wait.get();
                }
                case FIRST_TIME -> s.firstTime = true;
                case 'i' -> s.ignoreCommands = true;
                case 'b' -> s.useBlacklist = true;
                case 'f' -> s.force = true;
                case FORCE_MODVERSION -> s.forceModversion = true;
                case FORCE_VERMAGIC -> s.forceVermagic = true;
                case 'D' -> {
                    s.showDepends = true;
                    s.dryRun = true;
                }
                case 'R' -> s.lookupOnly = true;
                case 'c' -> s.showConfig = true;
                case SHOW_MODVERSIONS -> s.showModversions = true;
                case SHOW_EXPORTS -> s.showExports = true;
                case JSON -> s.json = true;
                case 'n' -> s.dryRun = true;
                case 'C' -> {
                    s.configPaths.add(o.argument());
                    s.passedOn.add("-C");
                    s.passedOn.add(o.argument());
                }
                case 'd' -> s.root = o.argument();
                case 'S' -> s.version = o.argument();
                case 's' -> {
                    s.passedOn.add("-s");
                    s.syslog = true;
                }
                case 'q' -> {
                    s.passedOn.add("-q");
                    s.verbosity = 0;
                }
                case 'v' -> {
                    s.passedOn.add("-v");
                    s.verbosity++;
                }
                case 'V' -> {
                    inv.out().print(KmodVersion.text(inv.level()));
                    return 0;
                }
                case 'h' -> {
                    inv.out().print(help(inv.level(), inv.program()));
                    return 0;
                }
                default -> throw new IllegalStateException("option table and switch disagree: " + (int) o.key());
            }
        }
        // kmod 31, and Debian's kmod 30 before it: stderr closed, the messages go to the system log
        s.syslog |= inv.stderrClosed();
        List<String> names = parsed.operands();
        if (!s.showConfig && names.isEmpty()) {
            // the log is open by now (-s counts), its verbosity not yet set (-q does not)
            new ModprobeLog(inv.level(), inv.err(), inv.program(), DEFAULT_VERBOSITY, s.syslog).error("missing parameters. See -h.");
            return 1;
        }
        return withContext(inv, s, names) >= 0 ? 0 : 1;
    }

    /** kmod_new, then modprobe's work in the context. */
    private int withContext(Invocation inv, Settings s, List<String> names) {
        String directory = moduleDirectory(inv, s);
        ModprobeLog log = new ModprobeLog(inv.level(), inv.err(), inv.program(), s.verbosity, s.syslog);
        ConfigLoader.Loaded config = ConfigLoader.load(inv.level(), directory,
                s.configPaths.isEmpty() ? inv.level().modprobeConfigPaths() : s.configPaths, host.kernelCmdline(),
                inv.cwd(), inv.cache());
        config.messages().forEach(log::early);
        ModuleIndexes indexes = ModuleIndexes.load(directory, inv.cache());
        indexes.messages().forEach(log::library);
        Resolver resolver = new Resolver(inv.level(), config.config(), indexes, host.kernel(), host.loader(),
                new ShellCommands(childEnvironment(s), inv.cwd(), inv.out(), inv.err()), log::library);
        if (s.showConfig) {
            inv.out().print(ConfigDump.render(config.config()));
            inv.out().print("\n# End of configuration files. Dumping indexes now:\n\n");
            inv.out().print(indexes.dump(ModuleIndexes.Kind.ALIAS, "alias "));
            inv.out().print(indexes.dump(ModuleIndexes.Kind.SYMBOL, "alias "));
            return 0;
        }
        if (s.showModversions || s.showExports) {
            return showSymbols(inv, s, log, names.get(0));
        }
        boolean show = s.showDepends || s.json || s.verbosity > DEFAULT_VERBOSITY;
        if (s.remove) {
            Removal removal = new Removal(resolver, log, step -> {
                if (show) {
                    inv.out().print(s.json ? step.json() : step.text());
                    inv.out().flush();
                }
            }, s.logPriority, s.ignoreCommands, s.showDepends, s.dryRun, s.firstTime, s.force, s.removeHolders,
                    s.waitMsec);
            return removal.removeAll(names);
        }
        if (s.all) {
            int result = 0;
            for (String name : names) {
                int r = insert(inv, s, log, resolver, name, "");
                if (r < 0) {
                    result = r;
                }
            }
            return result;
        }
        return insert(inv, s, log, resolver, names.get(0), ModuleParameters.join(names.subList(1, names.size())));
    }

    /** -d and -S make the directory ROOT/lib/modules/VERSION; kmod makes it absolute without resolving it. */
    private static String moduleDirectory(Invocation inv, Settings s) {
        if (s.root == null && s.version == null) {
            return "/lib/modules/" + inv.kernelRelease();
        }
        String directory = (s.root == null ? "" : s.root) + "/lib/modules/"
                + (s.version == null ? inv.kernelRelease() : s.version);
        return inv.absolute(directory);
    }

    private Map<String, String> childEnvironment(Settings s) {
        Map<String, String> env = new HashMap<>(host.environment());
        String options = host.environment().get("MODPROBE_OPTIONS");
        for (String word : s.passedOn) {
            options = options == null ? word : options + " " + word;
        }
        if (options != null) {
            env.put("MODPROBE_OPTIONS", options);
        }
        return env;
    }

    /**
     * modprobe's insmod(): every module the name stands for, probed in turn; the result is
     * that of the last one.
     */
    private int insert(Invocation inv, Settings s, ModprobeLog log, Resolver resolver, String name, String extra) {
        Session session = resolver.session();
        Optional<List<Module>> found;
        if (inv.level().loadsModulesByPath() && (name.startsWith("/") || name.startsWith("./"))) {
            // the file itself, with its dependencies from the indexes by its module name
            found = session.byPath(name.startsWith("/") ? name : inv.cwd() + "/" + name).map(List::of);
            if (found.isEmpty()) {
                log.log(s.logPriority, "Failed to get module from path " + name + ": "
                        + LinuxErrno.strerror(LinuxErrno.ENOENT));
                return -LinuxErrno.ENOENT;
            }
        } else {
            found = session.lookup(name);
        }
        if (found.isEmpty() || found.get().isEmpty()) {
            log.log(s.logPriority, "Module " + name + " not found in directory " + resolver.indexes().directory());
            return -LinuxErrno.ENOENT;
        }
        Prober.Flags flags = new Prober.Flags(s.ignoreCommands, s.showDepends, s.dryRun, s.firstTime, s.useBlacklist,
                s.forceVermagic || s.force, s.forceModversion || s.force);
        boolean show = s.showDepends || s.json || s.verbosity > DEFAULT_VERBOSITY;
        Prober prober = new Prober(session, flags, step -> {
            if (show) {
                shown(step).ifPresent(shown -> inv.out().print(s.json ? shown.json() : shown.text()));
            }
        });
        int result = 0;
        for (Module module : found.get()) {
            if (s.lookupOnly) {
                inv.out().print(module.name() + "\n");
                result = 0;
                continue;
            }
            Prober.Outcome outcome = prober.probe(module, extra);
            result = 0;
            if (outcome instanceof Prober.Failed failed) {
                result = -failed.errno();
                log.error("could not insert '" + module.name() + "': " + insertError(failed.errno()));
            }
        }
        return result;
    }

    private static String insertError(int errno) {
        return switch (errno) {
            case LinuxErrno.EEXIST -> "Module already in kernel";
            case LinuxErrno.ENOENT -> "Unknown symbol in module, or unknown parameter (see dmesg)";
            default -> LinuxErrno.strerror(errno);
        };
    }

    /** print_action: what -D and -v print for a step; nothing for a module kmod cannot place. */
    private static Optional<ShownStep> shown(ProbeStep step) {
        String name = step.module().name();
        if (step.action() instanceof ProbeStep.RunInstall install) {
            return Optional.of(ShownStep.install(name, install.command(), install.options()));
        }
        ProbeStep.Insert insert = (ProbeStep.Insert) step.action();
        if (insert.path().isPresent()) {
            return Optional.of(ShownStep.insmod(name, insert.path().get(), insert.options()));
        }
        return insert.builtin() ? Optional.of(ShownStep.builtin(name)) : Optional.empty();
    }

    /**
     * --show-modversions and --show-exports: the CRCs in a module file. A module without
     * the section kmod reads them from is an error to kmod, not an empty list.
     */
    private static int showSymbols(Invocation inv, Settings s, ModprobeLog log, String file) {
        Path path = inv.file(file);
        if (!Files.exists(path)) {
            log.log(s.logPriority, "Module " + file + " not found.");
            return -LinuxErrno.ENOENT;
        }
        String what = s.showModversions ? "modversions" : "symbols";
        List<String> lines = new ArrayList<>();
        int errno;
        try (ModuleImage image = ModuleFile.readImage(path, inv.level().zstdReading())) { // served: native memory freed now, not at a collection
            ElfFile elf = image.elf();
            KernelModule module = KernelModule.of(elf);
            if (s.showModversions) {
                module.versions().forEach(v -> lines.add(String.format("0x%08x\t%s%n", v.crc(), v.symbol())));
                errno = elf.section("__versions").isPresent() ? 0 : inv.level().missingSectionErrno();
            } else {
                module.exports().forEach(e -> lines.add(String.format("0x%08x\t%s%n", e.crc(), e.symbol())));
                errno = !lines.isEmpty() || elf.section("__ksymtab_strings").isPresent() ? 0
                        : inv.level().missingSectionErrno();
            }
        } catch (IOException e) {
            errno = LinuxErrno.ENOENT;
        } catch (ElfFormatException e) {
            errno = e.isNotElf() ? LinuxErrno.ENOEXEC : LinuxErrno.EINVAL;
        }
        if (errno != 0) {
            log.log(s.logPriority, "could not get " + what + " of " + file + ": " + LinuxErrno.strerror(errno));
            return -errno;
        }
        lines.forEach(inv.out()::print);
        return 0;
    }

    /** strtoul(s, &end, 0) accepting the whole string: decimal, 0x hex or 0 octal, optional sign. */
    private static Optional<Long> parseUnsigned(String text) {
        String t = text.stripLeading();
        boolean negative = false;
        if (t.startsWith("+") || t.startsWith("-")) {
            negative = t.startsWith("-");
            t = t.substring(1);
        }
        int radix = 10;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            t = t.substring(1);
        }
        if (text.isEmpty() || t.isEmpty()) {
            return Optional.empty();
        }
        try {
            long value = Long.parseUnsignedLong(t, radix);
            return Optional.of(negative ? -value : value);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** kmod 34 spells -w's argument as getopt takes it, "--wait=<MSEC>". */
    private static String help(KmodLevel level, String p) {
        return "Usage:\n"
                + "\t" + p + " [options] [-i] [-b] modulename\n"
                + "\t" + p + " [options] -a [-i] [-b] modulename [modulename...]\n"
                + "\t" + p + " [options] -r [-i] modulename\n"
                + "\t" + p + " [options] -r -a [-i] modulename [modulename...]\n"
                + "\t" + p + " [options] -c\n"
                + "\t" + p + " [options] --dump-modversions filename\n"
                + "Management Options:\n"
                + "\t-a, --all                   Consider every non-argument to\n"
                + "\t                            be a module name to be inserted\n"
                + "\t                            or removed (-r)\n"
                + "\t-r, --remove                Remove modules instead of inserting\n"
                + "\t    --remove-dependencies   Deprecated: use --remove-holders\n"
                + "\t    --remove-holders        Also remove module holders (use together with -r)\n"
                + (level == KmodLevel.KMOD30 ? "\t-w, --wait <MSEC>           " : "\t-w, --wait=<MSEC>           ")
                + "When removing a module, wait up to MSEC for\n"
                + "\t                            module's refcount to become 0 so it can be\n"
                + "\t                            removed (use together with -r)\n"
                + "\t    --first-time            Fail if module already inserted or removed\n"
                + "\t-i, --ignore-install        Ignore install commands\n"
                + "\t-i, --ignore-remove         Ignore remove commands\n"
                + "\t-b, --use-blacklist         Apply blacklist to resolved alias.\n"
                + "\t-f, --force                 Force module insertion or removal.\n"
                + "\t                            implies --force-modversions and\n"
                + "\t                            --force-vermagic\n"
                + "\t    --force-modversion      Ignore module's version\n"
                + "\t    --force-vermagic        Ignore module's version magic\n"
                + "\n"
                + "Query Options:\n"
                + "\t-R, --resolve-alias         Only lookup and print alias and exit\n"
                + "\t-D, --show-depends          Only print module dependencies and exit\n"
                + "\t-c, --showconfig            Print out known configuration and exit\n"
                + "\t-c, --show-config           Same as --showconfig\n"
                + "\t    --show-modversions      Dump module symbol version and exit\n"
                + "\t    --dump-modversions      Same as --show-modversions\n"
                + "\t    --show-exports          Only print module exported symbol versions and exit\n"
                + "\n"
                + "General Options:\n"
                + "\t-n, --dry-run               Do not execute operations, just print out\n"
                + "\t-n, --show                  Same as --dry-run\n"
                + "\t-C, --config=FILE           Use FILE instead of default search paths\n"
                + "\t-d, --dirname=DIR           Use DIR as filesystem root for /lib/modules\n"
                + "\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
                + "\t-s, --syslog                print to syslog, not stderr\n"
                + "\t-q, --quiet                 disable messages\n"
                + "\t-v, --verbose               enables more messages\n"
                + "\t-V, --version               show version\n"
                + "\t-h, --help                  show this help\n";
    }
}

package modtools.cli.rmmod;

import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import modtools.cli.Command;
import modtools.cli.Getopt;
import modtools.cli.Getopt.LongOption;
import modtools.cli.Invocation;
import modtools.cli.KmodLog;
import modtools.cli.KmodVersion;
import modtools.cli.modprobe.Host;
import modtools.cli.modprobe.LibkmodContext;
import modtools.cli.modprobe.ModprobeLog;
import modtools.deps.KmodLevel;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.resolve.InitState;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.Module;
import modtools.deps.resolve.Session;

/**
 * rmmod: kmod's tools/rmmod.c (kmod 34 dropped the unused -w, reworded its help and logs a held
 * module's line as one message). Each name (or module file, whose name is taken) is checked
 * first — built in, not loaded, held by other modules, in use — unless forced, then unloaded
 * without waiting for users; the exit status is 1 if any of them failed.
 */
public final class RmmodCommand implements Command {
    private static final List<LongOption> LONG_OPTIONS = List.of(
            new LongOption("force", false, 'f'),
            new LongOption("syslog", false, 's'),
            new LongOption("verbose", false, 'v'),
            new LongOption("version", false, 'V'),
            new LongOption("help", false, 'h'));

    private final Host host;

    public RmmodCommand(Host host) {
        this.host = host;
    }

    @Override
    public int run(Invocation inv) {
        Getopt.Result parsed;
        try {
            parsed = new Getopt(inv.argv0(), shortOptions(inv.level()), LONG_OPTIONS, inv.err()).parse(inv.args());
        } catch (Getopt.UsageException e) {
            return 1;
        }
        boolean force = false;
        boolean syslog = false;
        int verbosity = KmodLog.ERR;
        for (Getopt.Option o : parsed.options()) {
            switch (o.key()) {
                case 'f' -> force = true;
                case 's' -> syslog = true;
                case 'v' -> verbosity++;
                case 'h' -> {
                    inv.out().print(help(inv.level(), inv.program()));
                    return 0;
                }
                case 'V' -> {
                    inv.out().print(KmodVersion.text(inv.level()));
                    return 0;
                }
                default -> {
                    new ModprobeLog(inv.level(), inv.err(), inv.program(), KmodLog.WARNING, false)
                            .error("unexpected getopt_long() value '" + o.key() + "'.");
                    return 1;
                }
            }
        }
        if (parsed.operands().isEmpty()) {
            new ModprobeLog(inv.level(), inv.err(), inv.program(), KmodLog.WARNING, syslog).error("missing module name.");
            return 1;
        }
        ModprobeLog log = new ModprobeLog(inv.level(), inv.err(), inv.program(), verbosity, syslog);
        Session session = LibkmodContext.open(inv, host, log::early, log::library);
        int failures = 0;
        for (String arg : parsed.operands()) {
            Optional<Module> module = moduleOf(inv, session, arg);
            if (module.isEmpty()) {
                log.error("could not use module " + arg + ": " + LinuxErrno.strerror(LinuxErrno.ENOENT));
                break;
            }
            if (!force && !checkUnused(inv, session, log, module.get())) {
                failures++;
                continue;
            }
            int errno = session.remove(module.get(), force, false);
            if (errno != 0) {
                log.error("could not remove module " + arg + ": " + LinuxErrno.strerror(errno));
                failures++;
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /** An existing file names the module by its file name; anything else is a module name. */
    private static Optional<Module> moduleOf(Invocation inv, Session session, String arg) {
        if (Files.exists(inv.file(arg))) {
            return AliasNormalizer.modnameOfPath(arg).map(session::byName);
        }
        return Optional.of(session.byName(arg));
    }

    /** check_module_inuse: false (after saying why) when the module cannot or must not go. */
    private boolean checkUnused(Invocation inv, Session session, ModprobeLog log, Module module) {
        Optional<InitState> state = session.initstate(module);
        if (state.isPresent() && state.get() == InitState.BUILTIN) {
            log.error("Module " + module.name() + " is builtin.");
            return false;
        }
        if (state.isEmpty()) {
            log.error("Module " + module.name() + " is not currently loaded");
            return false;
        }
        List<Module> holders = session.holders(module).orElse(List.of());
        if (!holders.isEmpty()) {
            reportHolders(inv, log, module, holders);
            return false;
        }
        OptionalInt usage = session.refcnt(module);
        if (usage.isEmpty() && host.kernel().unloadingAlwaysSupported()) {
            // Where every module can be unloaded (modfs), a missing count is a module that went
            // since its state was read, removed by another process; it may be back already.
            usage = session.refcnt(module);
            if (usage.isEmpty()) {
                log.error("Module " + module.name() + " is not currently loaded");
                return false;
            }
        }
        if (usage.isPresent() && usage.getAsInt() > 0) {
            log.error("Module " + module.name() + " is in use");
            return false;
        }
        if (usage.isEmpty() && host.kernel().refcnt(module.name()).isEmpty()) {
            log.error("Module unloading is not supported");
        }
        return usage.isPresent();
    }

    /**
     * kmod 30 logs the line's start and prints the holders' names on stderr itself, so with -s
     * the record ends at the colon and the names still reach stderr; kmod 34.2 as Debian builds
     * it logs the whole line as one message.
     */
    private static void reportHolders(Invocation inv, ModprobeLog log, Module module, List<Module> holders) {
        StringBuilder names = new StringBuilder();
        holders.forEach(h -> names.append(' ').append(h.name()));
        String head = "Module " + module.name() + " is in use by:";
        switch (inv.level()) {
            case KMOD30 -> {
                log.errorUnended(head);
                inv.err().print(names + "\n");
            }
            case KMOD34 -> log.error(head + names);
        }
    }

    /** kmod 30 has a 'w' in its option string but not in its switch; kmod 34 dropped it. */
    private static String shortOptions(KmodLevel level) {
        return switch (level) {
            case KMOD30 -> "fsvVwh";
            case KMOD34 -> "fsvVh";
        };
    }

    private static String help(KmodLevel level, String p) {
        String usage = switch (level) {
            case KMOD30 -> "\t" + p + " [options] modulename ...\n"
                    + "Options:\n"
                    + "\t-f, --force       forces a module unload and may crash your\n"
                    + "\t                  machine. This requires Forced Module Removal\n"
                    + "\t                  option in your kernel. DANGEROUS\n";
            case KMOD34 -> "\t" + p + " [options] [list of modulenames]\n"
                    + "Options:\n"
                    + "\t-f, --force       DANGEROUS: forces a module unload and may\n"
                    + "\t                  crash your machine\n";
        };
        return "Usage:\n"
                + usage
                + "\t-s, --syslog      print to syslog, not stderr\n"
                + "\t-v, --verbose     enables more messages\n"
                + "\t-V, --version     show version\n"
                + "\t-h, --help        show this help\n";
    }
}

package modtools.cli.insmod;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.cli.Command;
import modtools.cli.Getopt;
import modtools.cli.Getopt.LongOption;
import modtools.cli.Invocation;
import modtools.cli.KmodLog;
import modtools.cli.KmodVersion;
import modtools.cli.ModuleParameters;
import modtools.cli.modprobe.ModprobeLog;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.resolve.Insertion;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.ModuleLoader;
import modtools.load.ObjectLoader;

/**
 * insmod: kmod's tools/insmod.c. One module file, the remaining arguments joined by spaces as
 * its parameters, no dependencies and no configuration; the kernel's answer in kmod's words.
 * kmod 30 takes -f and ignores -p and -s; kmod 34 takes -f -s -v, logs as the other tools do
 * and quotes parameter values as modprobe does.
 */
public final class InsmodCommand implements Command {
    private static final int ESRCH = 3;
    private static final char TIMEOUT = 1;

    /**
     * getopt's option string, its long options and the help text of a level, and whether -s
     * sends the messages to the system log (kmod 30 ignores it).
     */
    private record Options(String shortOptions, List<LongOption> longOptions, String help, boolean syslogOption) {
        /** Ours, where the loader can give up waiting for init (modfs); kmod's help is kmod's elsewhere. */
        private static final String TIMEOUT_HELP = "\t    --timeout=SECONDS\n"
                + "\t                  give up waiting for the module's init after SECONDS\n";

        /** The level's table with {@code --timeout} added, listed before -V. */
        Options withTimeout() {
            List<LongOption> longs = new ArrayList<>(longOptions);
            longs.add(new LongOption("timeout", true, TIMEOUT));
            return new Options(shortOptions, List.copyOf(longs), help.replace("\t-V, --version", TIMEOUT_HELP + "\t-V, --version"),
                    syslogOption);
        }

        static Options of(KmodLevel level) {
            return switch (level) {
                case KMOD30 -> new Options("psfVh", List.of(
                        new LongOption("version", false, 'V'),
                        new LongOption("help", false, 'h')),
                        "Usage:\n"
                                + "\t%s [options] filename [args]\n"
                                + "Options:\n"
                                + "\t-V, --version     show version\n"
                                + "\t-h, --help        show this help\n", false);
                case KMOD34 -> new Options("fsvVh", List.of(
                        new LongOption("force", false, 'f'),
                        new LongOption("syslog", false, 's'),
                        new LongOption("verbose", false, 'v'),
                        new LongOption("version", false, 'V'),
                        new LongOption("help", false, 'h')),
                        "Usage:\n"
                                + "\t%s [options] filename [module options]\n"
                                + "Options:\n"
                                + "\t-f, --force       DANGEROUS: forces a module load, may cause\n"
                                + "\t                  data corruption and crash your machine\n"
                                + "\t-s, --syslog      print to syslog, not stderr\n"
                                + "\t-v, --verbose     enables more messages\n"
                                + "\t-V, --version     show version\n"
                                + "\t-h, --help        show this help\n", true);
            };
        }
    }

    private final ModuleLoader loader;

    public InsmodCommand(ModuleLoader loader) {
        this.loader = loader;
    }

    @Override
    public int run(Invocation inv) {
        Options table = loader instanceof ObjectLoader ? Options.of(inv.level()).withTimeout() : Options.of(inv.level());
        Getopt.Result parsed;
        try {
            parsed = new Getopt(inv.argv0(), table.shortOptions(), table.longOptions(), inv.err()).parse(inv.args());
        } catch (Getopt.UsageException e) {
            return 1;
        }
        boolean force = false;
        boolean syslog = false;
        Optional<Duration> initTimeout = Optional.empty();
        for (Getopt.Option o : parsed.options()) {
            switch (o.key()) {
                case TIMEOUT -> {
                    initTimeout = seconds(o.argument());
                    if (initTimeout.isEmpty()) {
                        new ModprobeLog(inv.level(), inv.err(), inv.program(), KmodLog.ERR, false)
                                .error("--timeout: '" + o.argument() + "' is not a number of seconds above 0");
                        return 1;
                    }
                }
                // kmod 30 accepts -p and -s and ignores them, for old scripts; kmod 34 has no -p
                case 'p' -> { }
                case 's' -> syslog = table.syslogOption();
                // more messages from libkmod, none of which insmod gives here
                case 'v' -> { }
                case 'f' -> force = true;
                case 'h' -> {
                    inv.out().print(table.help().replace("%s", inv.program()));
                    return 0;
                }
                case 'V' -> {
                    inv.out().print(KmodVersion.text(inv.level()));
                    return 0;
                }
                default -> throw new IllegalStateException("option table and switch disagree: " + o.key());
            }
        }
        ModprobeLog log = new ModprobeLog(inv.level(), inv.err(), inv.program(), KmodLog.ERR, syslog);
        List<String> operands = parsed.operands();
        if (operands.isEmpty()) {
            log.error("missing filename.");
            return 1;
        }
        String filename = operands.get(0);
        if (filename.equals("-")) {
            log.error("this tool does not support loading from stdin!");
            return 1;
        }
        List<String> objects = new ArrayList<>(List.of(filename));
        List<String> params = new ArrayList<>();
        for (String operand : operands.subList(1, operands.size())) {
            (loader instanceof ObjectLoader && isObject(operand, inv.file(operand)) ? objects : params).add(operand);
        }
        String options = inv.level().insmodQuotesParameters() ? ModuleParameters.join(params) : String.join(" ", params);
        List<String> paths = new ArrayList<>();
        for (String object : objects) {
            // kmod_module_new_from_path: the file must exist and have a module name
            Path path = inv.file(object);
            Optional<String> missing = statError(path);
            if (missing.isEmpty() && AliasNormalizer.modnameOfPath(object).isEmpty()) {
                missing = Optional.of(LinuxErrno.strerror(LinuxErrno.ENOENT));
            }
            if (missing.isPresent()) {
                log.error("could not load module " + object + ": " + missing.get());
                return 1;
            }
            paths.add(path.toString());
        }
        Insertion result = loader instanceof ObjectLoader objectLoader
                ? objectLoader.insertObjects(paths, options, force, initTimeout)
                : loader.insert(paths.get(0), options, force, force);
        if (result.errno() != 0) {
            if (result instanceof Insertion.Undecodable u && inv.level().logsDecoderFailures()) {
                LibkmodMessage.of(u.error()).ifPresent(log::library);
            }
            log.error("could not insert module " + filename + ": " + moduleError(result.errno()));
            return 1;
        }
        return 0;
    }

    /** A number of seconds above 0, whole or decimal ({@code 2}, {@code 0.5}), as a duration. */
    private static Optional<Duration> seconds(String text) {
        if (!text.matches("\\d{1,9}(\\.\\d{1,9})?")) {
            return Optional.empty();
        }
        Duration d = Duration.ofNanos(new BigDecimal(text).movePointRight(9).longValueExact());
        return d.isZero() ? Optional.empty() : Optional.of(d);
    }

    /**
     * Where objects load as one module (modfs), an operand after the first that names an
     * existing file ending in {@code .o} or {@code .ko*} and has no '=' is another object;
     * every other operand is a parameter, as kmod takes all of them (docs/loader.md).
     */
    private static boolean isObject(String operand, Path path) {
        String base = path.getFileName() == null ? "" : path.getFileName().toString();
        return !operand.contains("=") && (base.endsWith(".o") || base.matches(".*\\.ko(\\..*)?"))
                && Files.isRegularFile(path);
    }

    /**
     * What stat(2) says is wrong with the path, in strerror's words, if anything: Java keeps
     * the C library's words for the errors it has no exception class for.
     */
    private static Optional<String> statError(Path path) {
        try {
            Files.readAttributes(path, BasicFileAttributes.class);
            return Optional.empty();
        } catch (NoSuchFileException | AccessDeniedException e) {
            return Optional.of(LinuxErrno.strerror(LinuxErrno.of(e)));
        } catch (FileSystemException e) {
            return Optional.of(e.getReason() != null ? e.getReason() : LinuxErrno.strerror(LinuxErrno.EINVAL));
        } catch (IOException e) {
            return Optional.of(LinuxErrno.strerror(LinuxErrno.EINVAL));
        }
    }

    /** kmod's mod_strerror: the kernel's answers that mean something particular for a module. */
    private static String moduleError(int errno) {
        return switch (errno) {
            case LinuxErrno.ENOEXEC -> "Invalid module format";
            case LinuxErrno.ENOENT -> "Unknown symbol in module";
            case ESRCH -> "Module has wrong symbol version";
            case LinuxErrno.EINVAL -> "Invalid parameters";
            default -> LinuxErrno.strerror(errno);
        };
    }
}

package modtools.cli.depmod;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.cli.Command;
import modtools.cli.Getopt;
import modtools.cli.Getopt.LongOption;
import modtools.cli.Invocation;
import modtools.cli.KmodLog;
import modtools.cli.KmodVersion;
import modtools.deps.KmodLevel;
import modtools.deps.depmod.Depmod;
import modtools.deps.depmod.DepmodConfig;
import modtools.deps.depmod.DepmodLog;
import modtools.deps.depmod.DepmodOutput;
import modtools.deps.depmod.FactCache;
import modtools.deps.depmod.Freshness;
import modtools.deps.depmod.ModuleSearch;
import modtools.deps.index.IndexWriter;
import modtools.elf.module.ModuleFile;

/**
 * depmod: the command line and behaviour of the level's kmod (kmod 34 added -m and -o and
 * dropped the deprecated -u -q -r and -m); {@code --index-order} picks the node order of the
 * binary indexes, which defaults to the level's.
 */
public final class DepmodCommand implements Command {
    private static final char INDEX_ORDER = 1;
    private static final char NO_CACHE = 2;
    private static final String DEFAULT_MODULE_DIRECTORY = "/lib/modules";

    /** getopt's option strings and tables, one pair per level. */
    private static String shortOptions(KmodLevel level) {
        return switch (level) {
            case KMOD30 -> "aAb:C:E:F:euqrvnP:wmVh";
            case KMOD34 -> "aAb:m:o:C:E:F:evnP:wVh";
        };
    }

    private static List<LongOption> longOptions(KmodLevel level) {
        List<LongOption> options = new ArrayList<>(List.of(
                new LongOption("all", false, 'a'),
                new LongOption("quick", false, 'A'),
                new LongOption("basedir", true, 'b')));
        if (level == KmodLevel.KMOD34) {
            options.add(new LongOption("moduledir", true, 'm'));
            options.add(new LongOption("outdir", true, 'o'));
        }
        options.addAll(List.of(
                new LongOption("config", true, 'C'),
                new LongOption("symvers", true, 'E'),
                new LongOption("filesyms", true, 'F'),
                new LongOption("errsyms", false, 'e')));
        if (level == KmodLevel.KMOD30) {
            options.addAll(List.of(
                    new LongOption("unresolved-error", false, 'u'),
                    new LongOption("quiet", false, 'q'),
                    new LongOption("root", false, 'r')));
        }
        options.addAll(List.of(
                new LongOption("verbose", false, 'v'),
                new LongOption("show", false, 'n'),
                new LongOption("dry-run", false, 'n'),
                new LongOption("symbol-prefix", true, 'P'),
                new LongOption("warn", false, 'w')));
        if (level == KmodLevel.KMOD30) {
            options.add(new LongOption("map", false, 'm'));
        }
        options.addAll(List.of(
                new LongOption("version", false, 'V'),
                new LongOption("help", false, 'h'),
                new LongOption("index-order", true, INDEX_ORDER),
                new LongOption("no-cache", false, NO_CACHE)));
        return options;
    }

    /** Fatal errors end the run with kmod's "FATAL:" line and exit status 1. */
    private static final class Fatal extends Exception {
        Fatal(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public int run(Invocation inv) {
        try {
            return depmod(inv);
        } catch (Fatal e) {
            inv.err().print(inv.program() + ": FATAL: " + e.getMessage() + "\n");
            return 1;
        } catch (Getopt.UsageException e) {
            return 1;
        }
    }

    private int depmod(Invocation inv) throws Fatal, Getopt.UsageException {
        KmodLevel level = inv.level();
        Getopt.Result parsed = new Getopt(inv.argv0(), shortOptions(level), longOptions(level), inv.err())
                .parse(inv.args());
        boolean all = false;
        boolean quick = false;
        boolean toStdout = false;
        boolean printUnknown = false;
        boolean checkSymvers = false;
        boolean warnDuplicates = false;
        boolean useCache = true;
        char prefix = 0;
        int verbose = KmodLog.WARNING;
        String root = null;
        String outputRoot = null;
        String modules = DEFAULT_MODULE_DIRECTORY;
        String symvers = null;
        String systemMap = null;
        IndexWriter.Order order = level.indexOrder();
        List<String> configPaths = new ArrayList<>();
        List<String> deprecated = new ArrayList<>();
        for (Getopt.Option o : parsed.options()) {
            switch (o.key()) {
                case 'a' -> all = true;
                case 'A' -> quick = true;
                case 'b' -> root = inv.absolute(o.argument());
                case 'o' -> outputRoot = inv.absolute(o.argument());
                case 'C' -> configPaths.add(o.argument());
                case 'E' -> {
                    symvers = o.argument();
                    checkSymvers = true;
                }
                case 'F' -> systemMap = o.argument();
                case 'e' -> printUnknown = true;
                case 'v' -> verbose++;
                case 'n' -> toStdout = true;
                case 'P' -> {
                    // kmod 30 reads the byte after an empty argument, which is the next
                    // argument's (or the environment's) first; kmod 34 and we refuse ""
                    if (o.argument().length() != 1) {
                        throw new Fatal("-P only takes a single char");
                    }
                    prefix = o.argument().charAt(0);
                }
                case 'w' -> warnDuplicates = true;
                // kmod 30's -m (--map) takes no argument and is ignored; kmod 34's names the module directory
                case 'm' -> {
                    if (o.argument() != null) {
                        modules = o.argument();
                    } else {
                        deprecated.add(o.longName() != null ? "--" + o.longName() : "-m");
                    }
                }
                case 'u', 'q', 'r' -> deprecated.add(o.longName() != null ? "--" + o.longName() : "-" + o.key());
                case NO_CACHE -> useCache = false;
                case INDEX_ORDER -> order = switch (o.argument()) {
                    case "kmod30" -> IndexWriter.Order.CHILDREN_FIRST;
                    case "kmod34" -> IndexWriter.Order.PARENT_FIRST;
                    default -> throw new Fatal("--index-order takes kmod30 or kmod34, not '" + o.argument() + "'");
                };
                case 'h' -> {
                    inv.out().print(help(level, inv.program()));
                    return 0;
                }
                case 'V' -> {
                    inv.out().print(KmodVersion.text(inv.level()));
                    return 0;
                }
                default -> throw new IllegalStateException("option table and switch disagree: " + o.key());
            }
        }
        KmodLog kmodLog = new KmodLog(inv.err(), inv.program(), verbose);
        for (String d : deprecated) {
            kmodLog.log(KmodLog.WARNING, "Ignored deprecated option " + d);
        }
        List<String> operands = parsed.operands();
        int next = 0;
        String version = inv.kernelRelease();
        if (!operands.isEmpty()) {
            if (!isVersionNumber(operands.get(0))) {
                kmodLog.log(KmodLog.ERR, "Bad version passed " + operands.get(0));
                return 1;
            }
            version = operands.get(next++);
        }
        // the module directory is always below the base (and output) directory
        String relativeModules = modules.replaceFirst("^/+", "");
        String moduleDirectory = (root == null ? "" : root) + "/" + relativeModules + "/" + version;
        String outputDirectory = (outputRoot != null ? outputRoot : root == null ? "" : root) + "/" + relativeModules
                + "/" + version;
        if (next == operands.size()) {
            all = true;
        }
        DepmodLog log = logFor(kmodLog, inv.out(), verbose > KmodLog.WARNING);
        if (quick) {
            if (toStdout || Freshness.upToDate(Path.of(moduleDirectory), log)) {
                return 0;
            }
            all = true;
        }
        FactCache cache = factCache(useCache ? CacheLocation.of(inv) : null, moduleDirectory, level);
        Depmod depmod = new Depmod(new Depmod.Settings(moduleDirectory, printUnknown, checkSymvers, prefix, warnDuplicates,
                level), log, cache);
        try {
            if (symvers != null) {
                depmod.loadSymvers(inv.file(symvers));
            } else if (systemMap != null) {
                depmod.loadSystemMap(inv.file(systemMap));
            } else if (printUnknown) {
                kmodLog.log(KmodLog.WARNING, "-e needs -E or -F");
            }
        } catch (IOException e) {
            throw new Fatal("could not load " + (symvers != null ? symvers : systemMap) + ": No such file or directory");
        }
        if (all) {
            DepmodConfig config = DepmodConfig.load(level, configPaths.isEmpty() ? level.depmodConfigPaths() : configPaths,
                    version, inv.cwd(), log, inv.cache());
            try {
                ModuleSearch.Listener readAhead = new ModuleSearch.Listener() {
                    @Override
                    public void found(String path, long size) {
                        depmod.readAhead(path, size);
                    }
                };
                for (ModuleSearch.FoundModule f : ModuleSearch.search(moduleDirectory, config, inv.cwd(), log, readAhead)) {
                    depmod.addModule(f.name(), f.path());
                }
            } catch (ModuleSearch.UnreadableDirectoryException e) {
                throw new Fatal("could not search modules: " + e.reason());
            }
        } else {
            for (String path : operands.subList(next, operands.size())) {
                if (!path.startsWith("/")) {
                    throw new Fatal(path + ": not absolute path.");
                }
                if (!Files.exists(Path.of(path))) {
                    throw new Fatal("could not create module " + path + ": No such file or directory");
                }
                Optional<String> name = ModuleFile.moduleNameOf(path);
                if (name.isEmpty()) {
                    throw new Fatal("could not create module " + path + ": No such file or directory");
                }
                if (!depmod.addModule(name.get(), path)) {
                    kmodLog.log(KmodLog.ERR, "hash_add_unique " + name.get() + ": File exists");
                    throw new Fatal("could not add module " + path + ": File exists");
                }
            }
        }
        try {
            depmod.order();
            depmod.loadFacts();
            DepmodOutput.Rendering rendering = new DepmodOutput(depmod, order).startRendering(DepmodOutput.kinds(level, toStdout));
            depmod.resolve();
            depmod.sortDependencies();
            // kmod stops at a cycle and writes nothing; we write the indexes (the acyclic part is
            // right) but keep kmod's stderr, so what writing would say is not said then.
            DepmodLog writingLog = depmod.cyclic() ? SILENT : log;
            List<DepmodOutput.Rendered> files = rendering.finish();
            if (toStdout) {
                for (DepmodOutput.Rendered r : files) {
                    for (DepmodOutput.Message m : r.messages()) {
                        m.sendTo(writingLog);
                    }
                    inv.out().write(r.bytes());
                }
            } else {
                new IndexFiles(Path.of(outputDirectory), level.createsIndexDirectory(), kmodLog).write(files, writingLog);
            }
            depmod.finishCache();
        } catch (IOException e) {
            throw new Fatal(e.getMessage());
        }
        return depmod.cyclic() ? 1 : 0;
    }

    private static FactCache factCache(CacheLocation location, String moduleDirectory, KmodLevel level) {
        if (location == null) {
            return FactCache.NONE;
        }
        return FactCache.in(location.directory(), location.chosen(), moduleDirectory, level.zstdReading());
    }

    /** kmod takes the first operand as the kernel version only if it starts like "%u.%u". */
    private static boolean isVersionNumber(String s) {
        int at = unsignedNumberEnd(s, 0);
        return at > 0 && at < s.length() && s.charAt(at) == '.' && unsignedNumberEnd(s, at + 1) > 0;
    }

    /** Where sscanf's %u stops reading at {@code from} (blanks, a sign, digits), or -1 without digits. */
    private static int unsignedNumberEnd(String s, int from) {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i > digits ? i : -1;
    }

    private static final DepmodLog SILENT = new DepmodLog() {
        @Override
        public void log(Level level, String message) {
        }

        @Override
        public void show(String line) {
        }

        @Override
        public boolean verbose() {
            return false;
        }
    };

    private static DepmodLog logFor(KmodLog kmodLog, PrintStream out, boolean verbose) {
        return new DepmodLog() {
            @Override
            public void log(Level level, String message) {
                kmodLog.log(level.priority(), message);
            }

            @Override
            public void show(String line) {
                out.print(line + "\n");
                out.flush();
            }

            @Override
            public boolean verbose() {
                return verbose;
            }
        };
    }

    private static String help(KmodLevel level, String program) {
        String distribution = switch (level) {
            case KMOD30 -> "\t-b, --basedir=DIR    Use an image of a module tree.\n";
            case KMOD34 -> "\t-b, --basedir=DIR    Root path (default: /).\n"
                    + "\t-m, --moduledir=DIR  Module directory (default: " + DEFAULT_MODULE_DIRECTORY + ").\n"
                    + "\t-o, --outdir=DIR     Output root path (default: same as <basedir>).\n";
        };
        return "Usage:\n"
                + "\t" + program + " -[aA] [options] [forced_version]\n"
                + "\n"
                + "If no arguments (except options) are given, \"depmod -a\" is assumed\n"
                + "\n"
                + "depmod will output a dependency list suitable for the modprobe utility.\n"
                + "\n"
                + "Options:\n"
                + "\t-a, --all            Probe all modules\n"
                + "\t-A, --quick          Only does the work if there's a new module\n"
                + "\t-e, --errsyms        Report not supplied symbols\n"
                + "\t-n, --show           Write the dependency file on stdout only\n"
                + "\t-P, --symbol-prefix  Architecture symbol prefix\n"
                + "\t-C, --config=PATH    Read configuration from PATH\n"
                + "\t-v, --verbose        Enable verbose mode\n"
                + "\t-w, --warn           Warn on duplicates\n"
                + "\t-V, --version        show version\n"
                + "\t-h, --help           show this help\n"
                + "\n"
                + "The following options are useful for people managing distributions:\n"
                + distribution
                + "\t-F, --filesyms=FILE  Use the file instead of the\n"
                + "\t                     current kernel symbols.\n"
                + "\t-E, --symvers=FILE   Use Module.symvers file to check\n"
                + "\t                     symbol versions.\n";
    }
}

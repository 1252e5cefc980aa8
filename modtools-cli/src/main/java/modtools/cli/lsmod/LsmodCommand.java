package modtools.cli.lsmod;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import modtools.cli.Command;
import modtools.cli.Getopt;
import modtools.cli.Invocation;
import modtools.cli.KmodLog;
import modtools.cli.KmodVersion;
import modtools.cli.modprobe.Host;
import modtools.cli.modprobe.LibkmodContext;
import modtools.cli.modprobe.ModprobeLog;
import modtools.deps.LibkmodMessage;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.Module;
import modtools.deps.resolve.Session;
import modtools.load.info.MiniJson;
import modtools.load.linux.ProcModules;
import modtools.load.modfs.ListedModule;

/**
 * lsmod: kmod's tools/lsmod.c. The modules /proc/modules lists, in its order, each with its
 * size (/sys/module/NAME/coresize), its use count (refcnt) and the modules holding it (the
 * holders directory, in the order the kernel lists it). kmod 30's lsmod takes no options and
 * never sets up kmod's logging, so libkmod's messages come in libkmod's own format; kmod 34's
 * takes -s -v -V -h and logs as the other tools do once its context is made.
 *
 * <p>One addition: {@code lsmod --json} prints one JSON object per module and line,
 * {@code {"name", "size", "used", "holders": [...]}}, in the same order; over modfs also
 * {@code "objects"}, the files the module was linked from.
 */
public final class LsmodCommand implements Command {
    private static final char JSON = 1;
    private static final List<Getopt.LongOption> LONG_OPTIONS_34 = List.of(
            new Getopt.LongOption("syslog", false, 's'),
            new Getopt.LongOption("verbose", false, 'v'),
            new Getopt.LongOption("version", false, 'V'),
            new Getopt.LongOption("help", false, 'h'),
            new Getopt.LongOption("json", false, JSON));
    private final Host host;
    private final Listing listing;

    /**
     * The loaded modules of a backend that is not the running kernel (modfs), most recently
     * loaded first, each with everything its line shows, read from the backend's own files.
     */
    public interface Listing {
        List<ListedModule> modules() throws IOException;
    }

    public static final Path PROC_MODULES = Path.of("/proc/modules");

    public LsmodCommand(Host host, Path procModules) {
        this.host = host;
        this.listing = null;
        this.procModules = procModules;
    }

    /** Modules listed by another backend (modfs), which answers every column itself. */
    public LsmodCommand(Host host, Listing listing) {
        this.host = host;
        this.listing = listing;
        this.procModules = null;
    }

    private final Path procModules;

    /** One line of the listing; {@code objects} only where the backend knows them (modfs). */
    private record Row(String name, long size, long used, List<String> holders, Optional<List<String>> objects) {}

    /**
     * What the command line asked for: JSON or the table, where libkmod's messages go once the
     * context is made, and how the failure to list the modules is said.
     */
    private record Request(boolean json, ModprobeLog log, Consumer<LibkmodMessage> libkmod,
                           Consumer<String> listFailure) implements Parsed {}

    /** The command line read: a listing to make, or the exit status of a run that ends there. */
    private sealed interface Parsed permits Request, Done {}

    private record Done(int status) implements Parsed {}

    @Override
    public int run(Invocation inv) {
        Parsed parsed = switch (inv.level()) {
            case KMOD30 -> request30(inv);
            case KMOD34 -> request34(inv);
        };
        return parsed instanceof Request request ? list(inv, request) : ((Done) parsed).status();
    }

    /** kmod 30: no options at all (ours: --json alone), libkmod's own format throughout. */
    private static Parsed request30(Invocation inv) {
        boolean json = inv.args().equals(List.of("--json"));
        if (!inv.args().isEmpty() && !json) {
            inv.err().print("Usage: " + inv.argv0() + "\n");
            return new Done(1);
        }
        ModprobeLog log = new ModprobeLog(inv.level(), inv.err(), inv.program(), KmodLog.ERR, false);
        return new Request(json, log, log::early,
                reason -> inv.err().print("Error: could not get list of modules: " + reason + "\n"));
    }

    /** kmod 34: -s -v -V -h (and our --json); operands are an error. */
    private static Parsed request34(Invocation inv) {
        Getopt.Result parsed;
        try {
            parsed = new Getopt(inv.argv0(), "svVh", LONG_OPTIONS_34, inv.err()).parse(inv.args());
        } catch (Getopt.UsageException e) {
            return new Done(1);
        }
        boolean json = false;
        boolean syslog = false;
        int verbosity = KmodLog.ERR;
        for (Getopt.Option o : parsed.options()) {
            switch (o.key()) {
                case 's' -> syslog = true;
                case 'v' -> verbosity++;
                case JSON -> json = true;
                case 'h' -> {
                    inv.out().print("Usage:\n"
                            + "\t" + inv.program() + " [options]\n"
                            + "Options:\n"
                            + "\t-s, --syslog      print to syslog, not stderr\n"
                            + "\t-v, --verbose     enables more messages\n"
                            + "\t-V, --version     show version\n"
                            + "\t-h, --help        show this help\n");
                    return new Done(0);
                }
                case 'V' -> {
                    inv.out().print(KmodVersion.text(inv.level()));
                    return new Done(0);
                }
                default -> throw new IllegalStateException("option table and switch disagree: " + o.key());
            }
        }
        ModprobeLog log = new ModprobeLog(inv.level(), inv.err(), inv.program(), verbosity, syslog);
        if (!parsed.operands().isEmpty()) {
            log.error("too many arguments provided.");
            return new Done(1);
        }
        return new Request(json, log, log::library, reason -> log.error("could not get list of modules: " + reason));
    }

    private int list(Invocation inv, Request request) {
        Session session = LibkmodContext.open(inv, host, request.log()::early, request.libkmod());
        List<Row> rows;
        try {
            rows = listing == null ? kernelRows(session, request.libkmod(), ProcModules.read(procModules)) : listedRows();
        } catch (IOException e) {
            String reason = LinuxErrno.strerror(LinuxErrno.of(e));
            if (listing == null) {
                request.libkmod().accept(LibkmodMessage.error("libkmod-module.c", 1725, "kmod_module_new_from_loaded",
                        "could not open /proc/modules: " + reason));
            }
            request.listFailure().accept(reason);
            return 1;
        }
        inv.out().print(request.json() ? json(rows) : table(rows));
        return 0;
    }

    /** The modules /proc/modules lists, each asked of the kernel as libkmod asks. */
    private List<Row> kernelRows(Session session, Consumer<LibkmodMessage> libkmod, ProcModules loaded) {
        List<Row> rows = new ArrayList<>();
        for (ProcModules.Line line : loaded.lines()) {
            Module module = session.byName(line.name());
            int useCount = useCount(session, module);
            long size = size(libkmod, loaded, module.name());
            List<String> holders = session.holders(module).orElse(List.of()).stream().map(Module::name).toList();
            rows.add(new Row(module.name(), size, useCount, holders, Optional.empty()));
        }
        return rows;
    }

    /** The backend's own listing: its holders are their number. */
    private List<Row> listedRows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (ListedModule m : listing.modules()) {
            rows.add(new Row(m.name(), m.size(), m.holders().size(), m.holders(), Optional.of(m.objects())));
        }
        return rows;
    }

    private static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder("Module                  Size  Used by\n");
        for (Row row : rows) {
            out.append(String.format("%-19s %8d  %d", row.name(), row.size(), row.used()));
            for (int i = 0; i < row.holders().size(); i++) {
                out.append(i == 0 ? ' ' : ',').append(row.holders().get(i));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String json(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        for (Row row : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", row.name());
            o.put("size", row.size());
            o.put("used", row.used());
            o.put("holders", new ArrayList<Object>(row.holders()));
            row.objects().ifPresent(objects -> o.put("objects", new ArrayList<Object>(objects)));
            MiniJson.write(o, out);
            out.append('\n');
        }
        return out.toString();
    }

    /** kmod_module_get_refcnt: the count, or minus the errno (the file missing, or not a number). */
    private int useCount(Session session, Module module) {
        OptionalInt count = session.refcnt(module);
        if (count.isPresent()) {
            return count.getAsInt();
        }
        return host.kernel().refcnt(module.name()).isPresent() ? -LinuxErrno.EINVAL : -LinuxErrno.ENOENT;
    }

    /**
     * kmod_module_get_size: coresize when the kernel has it — a coresize that is no number
     * reads as 0, since kmod zeroes the value before parsing —, else the size on the module's
     * /proc/modules line, else minus ENOENT.
     */
    private long size(Consumer<LibkmodMessage> libkmod, ProcModules loaded, String name) {
        if (!host.kernel().hasDirectory(name)) {
            return -LinuxErrno.ENOENT;
        }
        Optional<String> coresize = host.kernel().coresize(name);
        if (coresize.isEmpty()) {
            return loaded.size(name).orElse((long) -LinuxErrno.ENOENT);
        }
        Optional<Long> value = strtol(coresize.get());
        if (value.isEmpty()) {
            libkmod.accept(LibkmodMessage.error("libkmod-module.c", 1886, "kmod_module_get_size",
                    "failed to read coresize from /sys/module/" + name));
            return 0;
        }
        return value.get();
    }

    /** read_str_long's test: strtol must read digits and stop at white space. */
    private static Optional<Long> strtol(String text) {
        int at = 0;
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        int start = at;
        if (at < text.length() && (text.charAt(at) == '-' || text.charAt(at) == '+')) {
            at++;
        }
        int digits = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        if (at == digits || at == text.length() || !Character.isWhitespace(text.charAt(at))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(text.substring(start, at)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

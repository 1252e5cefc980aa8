package modtools.cli.modinfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import modtools.cli.Command;
import modtools.cli.Errno;
import modtools.cli.Getopt;
import modtools.cli.Getopt.LongOption;
import modtools.cli.Invocation;
import modtools.cli.KmodLog;
import modtools.cli.KmodVersion;
import modtools.cli.modprobe.ModprobeLog;
import modtools.deps.index.IndexFormatException;
import modtools.elf.module.ModInfoEntry;
import modtools.elf.module.ModuleFile;

/** modinfo: kmod 30's command line, lookups, output and exit codes, plus {@code --json}. */
public final class ModinfoCommand implements Command {
    private static final char JSON = 1;
    private static final List<LongOption> LONG_OPTIONS = List.of(
            new LongOption("author", false, 'a'),
            new LongOption("description", false, 'd'),
            new LongOption("license", false, 'l'),
            new LongOption("parameters", false, 'p'),
            new LongOption("filename", false, 'n'),
            new LongOption("null", false, '0'),
            new LongOption("modname", false, 'm'),
            new LongOption("field", true, 'F'),
            new LongOption("set-version", true, 'k'),
            new LongOption("basedir", true, 'b'),
            new LongOption("version", false, 'V'),
            new LongOption("help", false, 'h'),
            new LongOption("json", false, JSON));

    @Override
    public int run(Invocation inv) {
        Getopt.Result parsed;
        try {
            parsed = new Getopt(inv.argv0(), "adlpn0mF:k:b:Vh", LONG_OPTIONS, inv.err()).parse(inv.args());
        } catch (Getopt.UsageException e) {
            return 1;
        }
        String field = null;
        char separator = '\n';
        boolean byModuleName = false;
        boolean json = false;
        String version = null;
        String root = null;
        for (Getopt.Option o : parsed.options()) {
            switch (o.key()) {
                case 'a' -> field = "author";
                case 'd' -> field = "description";
                case 'l' -> field = "license";
                case 'p' -> field = "parm";
                case 'n' -> field = "filename";
                case '0' -> separator = '\0';
                case 'm' -> byModuleName = true;
                case 'F' -> field = o.argument();
                case 'k' -> version = o.argument();
                case 'b' -> root = o.argument();
                case JSON -> json = true;
                case 'h' -> {
                    inv.out().print(help(inv.program()));
                    return 0;
                }
                case 'V' -> {
                    inv.out().print(KmodVersion.text(inv.level()));
                    return 0;
                }
                default -> throw new IllegalStateException("option table and switch disagree: " + o.key());
            }
        }
        if (parsed.operands().isEmpty()) {
            inv.error("missing module or filename.");
            return 1;
        }
        String release = version != null ? version : inv.kernelRelease();
        Path directory = Path.of(inv.absolute((root == null ? "" : root) + "/lib/modules/" + release));
        ModuleLookup lookup = new ModuleLookup(directory, inv.cache());
        ModuleReader reader = new ModuleReader(lookup.directory(), inv.level().signatureDigestNames(),
                inv.level().zstdReading());
        Output output = json ? new JsonOutput(inv.out())
                : new TextOutput(new ModinfoReport(inv.level(), inv.out(), inv.err(), inv.program(), field, separator));
        boolean failed = false;
        for (String operand : parsed.operands()) {
            try {
                for (Target target : resolve(inv, lookup, operand, byModuleName)) {
                    failed |= !show(inv, output, reader, target);
                }
            } catch (NotFound e) {
                inv.error(e.getMessage());
                failed = true;
            }
        }
        output.finish();
        return failed ? 1 : 0;
    }

    private static final class NotFound extends Exception {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }

    private static List<Target> resolve(Invocation inv, ModuleLookup lookup, String operand, boolean byModuleName)
            throws NotFound {
        try {
            if (byModuleName) {
                Optional<Target> t = lookup.byName(ModuleLookup.normalizeName(operand));
                return List.of(t.orElseThrow(() -> new NotFound("Module name " + operand + " not found.")));
            }
            if (isModuleFile(inv, operand)) {
                String path = inv.absolute(operand);
                return List.of(new Target.File(ModuleFile.moduleNameOf(operand).orElseThrow(), path));
            }
            Optional<String> alias = ModuleLookup.normalizeAlias(operand);
            if (alias.isEmpty()) {
                throw new NotFound("Module alias " + operand + " not found.");
            }
            List<Target> targets = lookup.byAlias(alias.get());
            if (targets.isEmpty()) {
                throw new NotFound("Module " + operand + " not found.");
            }
            return targets;
        } catch (IndexFormatException e) {
            // libkmod treats an unreadable index as a missing one, so the name is simply not found.
            throw new NotFound((byModuleName ? "Module name " : "Module ") + operand + " not found.");
        }
    }

    /** kmod takes an operand as a file only when it is a regular file with a module extension. */
    private static boolean isModuleFile(Invocation inv, String operand) {
        return ModuleFile.hasModuleExtension(operand) && Files.isRegularFile(inv.file(operand));
    }

    private static boolean show(Invocation inv, Output output, ModuleReader reader, Target target) {
        String filename = target instanceof Target.File f ? f.path() : "(builtin)";
        if (!output.header(target, filename)) {
            return true;
        }
        try {
            output.entries(target, reader.entries(target));
            return true;
        } catch (InfoUnavailable e) {
            output.failed(target, e);
            if (inv.level().logsDecoderFailures() && e.logged().isPresent()) {
                // modinfo never sets up kmod's logging: libkmod prints in its own format
                new ModprobeLog(inv.level(), inv.err(), inv.program(), KmodLog.ERR, false).early(e.logged().get());
            }
            inv.error("could not get modinfo from '" + target.name() + "': " + e.errno().strerror());
            return false;
        }
    }

    private static String help(String program) {
        return "Usage:\n"
                + "\t" + program + " [options] <modulename|filename> [args]\n"
                + "Options:\n"
                + "\t-a, --author                Print only 'author'\n"
                + "\t-d, --description           Print only 'description'\n"
                + "\t-l, --license               Print only 'license'\n"
                + "\t-p, --parameters            Print only 'parm'\n"
                + "\t-n, --filename              Print only 'filename'\n"
                + "\t-0, --null                  Use \\0 instead of \\n\n"
                + "\t-m, --modname               Handle argument as module name instead of alias or filename\n"
                + "\t-F, --field=FIELD           Print only provided FIELD\n"
                + "\t-k, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
                + "\t-b, --basedir=DIR           Use DIR as filesystem root for /lib/modules\n"
                + "\t-V, --version               Show version\n"
                + "\t-h, --help                  Show this help\n";
    }
}

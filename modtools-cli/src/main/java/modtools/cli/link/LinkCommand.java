package modtools.cli.link;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import modtools.cli.Command;
import modtools.cli.Invocation;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.module.ModuleFile;
import modtools.link.LinkException;
import modtools.link.LinkMap;
import modtools.link.LinkedImage;
import modtools.link.Linker;
import modtools.link.SymbolMap;
import modtools.link.SymbolMaps;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code modtools link OBJ --base ADDR --symbols FILE [--map FILE] -o IMAGE}: the loader's
 * relocation step on its own, for inspecting and testing images. The command line is declared
 * through picocli's model rather than annotations, which would cost reflection at every start.
 */
public final class LinkCommand implements Command {
    private static final String NAME = "modtools link";

    @Override
    public int run(Invocation invocation) {
        CommandSpec spec = spec();
        ParseResult parsed;
        try {
            parsed = new CommandLine(spec).parseArgs(invocation.args().toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            invocation.err().println(NAME + ": " + e.getMessage() + " (see --help)");
            return 2;
        }
        if (parsed.isUsageHelpRequested()) {
            invocation.out().print(spec.commandLine().getUsageMessage());
            return 0;
        }
        Path object = invocation.cwd().resolve(parsed.<String>matchedPositionalValue(0, null));
        String baseText = parsed.matchedOptionValue("--base", null);
        long base;
        try {
            base = parseAddress(baseText);
        } catch (NumberFormatException e) {
            invocation.err().println(NAME + ": --base " + baseText + ": not an address (hex with 0x, or decimal)");
            return 2;
        }
        List<String> symbolFiles = parsed.matchedOptionValue("--symbols", List.of());
        String mapFile = parsed.matchedOptionValue("--map", null);
        Path output = invocation.cwd().resolve(parsed.<String>matchedOptionValue("-o", null));
        try {
            SymbolMap.Builder symbols = new SymbolMap.Builder();
            for (String f : symbolFiles) {
                SymbolMaps.read(invocation.cwd().resolve(f), symbols);
            }
            ElfFile elf = ModuleFile.open(object);
            LinkedImage linked = Linker.link(elf, base, symbols.build());
            linked.write(output);
            if (mapFile != null) {
                try (BufferedWriter w = Files.newBufferedWriter(invocation.cwd().resolve(mapFile), StandardCharsets.ISO_8859_1)) {
                    LinkMap.write(linked, w);
                }
            }
            return 0;
        } catch (LinkException | ElfFormatException e) {
            invocation.err().println(NAME + ": " + e.getMessage());
        } catch (IOException e) {
            invocation.err().println(NAME + ": " + describe(e));
        }
        return 1;
    }

    private static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(NAME);
        spec.usageMessage().description("Relocate an object to run at ADDR and write its image (header, text, "
                + "rodata, data, bss, init text, init data).");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("OBJ").arity("1").type(String.class)
                .description("relocatable object: .o, .ko, .ko.xz, .ko.zst or .ko.gz").build());
        spec.addOption(OptionSpec.builder("--base").paramLabel("ADDR").required(true).type(String.class)
                .description("address the image runs at, page aligned (hex with 0x, or decimal)").build());
        spec.addOption(OptionSpec.builder("--symbols").paramLabel("FILE").type(List.class).auxiliaryTypes(String.class)
                .description("addresses of imports, 'ADDRESS TYPE NAME' lines: a modfs symbols file, "
                        + "/proc/kallsyms or a System.map; may be repeated, the first definition wins").build());
        spec.addOption(OptionSpec.builder("--map").paramLabel("FILE").type(String.class)
                .description("write the layout: sections, GOT, veneers and symbols with their addresses").build());
        spec.addOption(OptionSpec.builder("-o").paramLabel("IMAGE").required(true).type(String.class)
                .description("the image file to write").build());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help").build());
        return spec;
    }

    /** Hex with 0x, else decimal; the whole unsigned 64-bit range, as kernel addresses need. */
    static long parseAddress(String text) {
        if (text.startsWith("0x") || text.startsWith("0X")) {
            return Long.parseUnsignedLong(text.substring(2), 16);
        }
        return Long.parseUnsignedLong(text);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": No such file or directory";
        }
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": Permission denied";
        }
        return e.getMessage();
    }
}

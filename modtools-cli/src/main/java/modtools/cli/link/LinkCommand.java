package modtools.cli.link;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.cli.Command;
import modtools.cli.Getopt;
import modtools.cli.Invocation;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.module.ModuleFile;
import modtools.elf.module.ModuleImage;
import modtools.link.ImageFile;
import modtools.link.LinkException;
import modtools.link.LinkMap;
import modtools.link.LinkedImage;
import modtools.link.ObjectMerger;
import modtools.link.Linker;
import modtools.link.SymbolMap;
import modtools.link.SymbolMaps;

/**
 * {@code modtools link OBJ... --base ADDR --symbols FILE [--map FILE] -o IMAGE}: the loader's
 * relocation step on its own, for inspecting and testing images; several objects are one
 * image, as insmod loads them over modfs (each object's init and exit its own). The command line goes
 * through the same getopt as the kmod commands: a link is timed against GNU ld, and building
 * picocli's model alone took longer than ld's whole link of amdgpu.ko.
 */
public final class LinkCommand implements Command {
    private static final String NAME = "modtools link";
    private static final List<Getopt.LongOption> LONG_OPTIONS = List.of(
            new Getopt.LongOption("base", true, 'b'),
            new Getopt.LongOption("symbols", true, 's'),
            new Getopt.LongOption("map", true, 'm'),
            new Getopt.LongOption("output", true, 'o'),
            new Getopt.LongOption("help", false, 'h'));
    private static final String USAGE = "Usage: modtools link OBJ... --base ADDR [--symbols FILE]... [--map FILE] -o IMAGE\n"
            + "Relocate an object to run at ADDR and write its image (header, text, rodata, data, bss,\n"
            + "init text, init data).\n"
            + "      OBJ...            relocatable objects: .o, .ko, .ko.xz, .ko.zst or .ko.gz; several are\n"
            + "                        linked as one module, each object's init_module and\n"
            + "                        cleanup_module its own, inits in order, exits in reverse\n"
            + "      --base ADDR       address the image runs at, page aligned (hex with 0x, or decimal)\n"
            + "      --symbols FILE    addresses of imports, 'ADDRESS TYPE NAME' lines: a modfs symbols\n"
            + "                        file, /proc/kallsyms or a System.map; may be repeated, the first\n"
            + "                        definition wins\n"
            + "      --map FILE        write the layout: sections, GOT, veneers and symbols with their\n"
            + "                        addresses\n"
            + "  -o, --output IMAGE    the image file to write\n"
            + "  -h, --help            show this help\n";

    @Override
    public int run(Invocation invocation) {
        Getopt.Result parsed;
        try {
            parsed = new Getopt(NAME, "o:h", LONG_OPTIONS, invocation.err()).parse(invocation.args());
        } catch (Getopt.UsageException e) {
            return 2;
        }
        String baseText = null;
        List<String> symbolFiles = new ArrayList<>();
        String mapFile = null;
        String outputFile = null;
        for (Getopt.Option o : parsed.options()) {
            switch (o.key()) {
                case 'b' -> baseText = o.argument();
                case 's' -> symbolFiles.add(o.argument());
                case 'm' -> mapFile = o.argument();
                case 'o' -> outputFile = o.argument();
                case 'h' -> {
                    invocation.out().print(USAGE);
                    return 0;
                }
                default -> throw new IllegalStateException("option table and switch disagree: " + o.key());
            }
        }
        String usageError = parsed.operands().isEmpty() ? "an object to link is required"
                : baseText == null ? "--base ADDR is required"
                : outputFile == null ? "-o IMAGE is required" : null;
        if (usageError != null) {
            invocation.err().println(NAME + ": " + usageError + " (see --help)");
            return 2;
        }
        long base;
        try {
            base = parseAddress(baseText);
        } catch (NumberFormatException e) {
            invocation.err().println(NAME + ": --base " + baseText + ": not an address (hex with 0x, or decimal)");
            return 2;
        }
        Path output = invocation.file(outputFile);
        ImageFile image = new ImageFile(output);
        // Held until the map is written, then freed at once: a resident server links call after
        // call, and a decompressed object lives in native memory the collector does not see.
        List<ModuleImage> opened = new ArrayList<>();
        try {
            SymbolMap.Builder symbols = new SymbolMap.Builder();
            for (String f : symbolFiles) {
                SymbolMaps.read(invocation.file(f), symbols);
            }
            List<ElfFile> objects = new ArrayList<>();
            for (String operand : parsed.operands()) {
                ModuleImage object = ModuleFile.readImage(invocation.file(operand),
                        invocation.level().zstdReading());
                opened.add(object);
                objects.add(object.elf());
            }
            ElfFile elf = objects.size() == 1 ? objects.get(0) : ObjectMerger.merge(objects);
            LinkedImage linked = Linker.link(elf, base, symbols.build(), image);
            image.finish();
            if (mapFile != null) {
                try (BufferedWriter w = Files.newBufferedWriter(invocation.file(mapFile), StandardCharsets.ISO_8859_1)) {
                    LinkMap.write(linked, w);
                }
            }
            return 0;
        } catch (LinkException | ElfFormatException e) {
            invocation.err().println(NAME + ": " + e.getMessage());
        } catch (IOException e) {
            invocation.err().println(NAME + ": " + describe(e));
        } finally {
            for (ModuleImage object : opened) {
                object.close();
            }
        }
        try {
            image.discard();
        } catch (IOException e) {
            invocation.err().println(NAME + ": " + describe(e));
        }
        return 1;
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

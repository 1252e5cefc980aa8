package modtools.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.Section;
import modtools.elf.Symbol;
import modtools.elf.SymbolTable;
import modtools.testkit.Processes;

/**
 * GNU ld doing the link we did: a linker script generated from our layout puts every input
 * section at our address (one output section each), defines every import at the address our
 * image uses for it (its veneer when it has one) and each COMMON symbol where we put it,
 * discards everything else, and ld runs with {@code --no-relax} so that it rewrites no
 * instruction. Its GOT goes past the end of our image: its layout is ld's own.
 */
final class GnuLd {
    /** ld's output, readable by address. */
    record Output(List<Section> sections, ElfFile elf, Map<String, Long> globals, Map<String, List<Long>> all) {
        /** The bytes ld put at [address, address + length), zeros in NOBITS and gaps. */
        byte[] read(long address, int length) throws ElfFormatException {
            byte[] out = new byte[length];
            for (Section s : sections) {
                if (s.type() == Elf.SHT_NOBITS || !s.isAllocated()) {
                    continue;
                }
                long from = Math.max(address, s.address());
                long to = Math.min(address + length, s.address() + s.size());
                if (from < to) {
                    byte[] part = elf.data(s).bytes(from - s.address(), (int) (to - from), s.name());
                    System.arraycopy(part, 0, out, (int) (from - address), part.length);
                }
            }
            return out;
        }

        long read64(long address) throws ElfFormatException {
            return ByteBuffer.wrap(read(address, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    private GnuLd() {}

    static String script(LinkedImage linked, Map<String, Long> imports) {
        Layout l = linked.layout();
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Long> e : imports.entrySet()) {
            s.append(e.getKey()).append(" = 0x").append(Long.toHexString(e.getValue())).append(";\n");
        }
        for (Layout.Common c : l.commons()) {
            s.append(c.symbol()).append(" = 0x").append(Long.toHexString(c.address())).append(";\n");
        }
        s.append("SECTIONS\n{\n");
        for (Placement p : l.sections()) {
            s.append("  .m").append(p.index()).append(" 0x").append(Long.toHexString(p.address()))
                    .append(" : { KEEP(*(").append(p.name()).append(")) } =0\n");
        }
        long got = l.end() + Linker.PAGE;
        // .got.plt in an output section of its own, as in ld's own scripts: ld computes GOT32 and
        // GOT64 from its output offset, which is only right when that is 0.
        s.append("  .got 0x").append(Long.toHexString(got)).append(" : { *(.got) }\n");
        s.append("  .got.plt : { *(.got.plt) *(.igot.plt) }\n");
        s.append("  /DISCARD/ : { *(*) }\n}\n");
        return s.toString();
    }

    /** Links {@code object} with ld by {@code script}; fails the test with ld's words if ld fails. */
    static Output link(Path object, String script, Path dir) throws IOException, ElfFormatException {
        Path scriptFile = dir.resolve(object.getFileName() + ".ld");
        Path out = dir.resolve(object.getFileName() + ".ld-out");
        Files.writeString(scriptFile, script);
        Processes.Result r = Processes.run(List.of("ld", "--no-relax", "-static", "-nostdlib", "-e", "0",
                "-z", "noexecstack", "--no-warn-rwx-segments", "-T", scriptFile.toString(), "-o", out.toString(),
                object.toString()));
        if (r.status() != 0) {
            throw new AssertionError("ld failed on " + object + ": " + r.stderrText());
        }
        ElfFile elf = ElfFile.parse(out.toString(), ByteBuffer.wrap(Files.readAllBytes(out)));
        Map<String, Long> globals = new HashMap<>();
        Map<String, List<Long>> all = new HashMap<>();
        SymbolTable table = elf.symbols(elf.symbolTable().orElseThrow());
        for (Symbol sym : table.all()) {
            if (sym.isUndefined() || sym.name().isEmpty()) {
                continue;
            }
            all.computeIfAbsent(sym.name(), k -> new ArrayList<>()).add(sym.value());
            if (sym.isGlobal()) {
                globals.put(sym.name(), sym.value());
            }
        }
        return new Output(elf.sections(), elf, globals, all);
    }
}

package modtools.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import modtools.contract.ImageHeader;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.Relocation;
import modtools.elf.RelocationSection;
import modtools.elf.Section;
import modtools.elf.Symbol;
import modtools.elf.SymbolTable;
import modtools.link.x86_64.X86_64;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our image against GNU ld's link of the same object at the same addresses with the same
 * symbol values, region by region. Objects: C programs generated here (switch tables,
 * function pointers in data, static and global data, strings, bss, init sections, calls to
 * near and far host functions) compiled by gcc at -O0 to -O3 with -fno-pic and -fpic, and an
 * assembly file with every relocation type we apply.
 *
 * <p>Where the two links legitimately differ the test compares what the relocated code
 * computes instead of bytes: the GOT (ours sits at the end of rodata with entries in
 * first-use order, ld's where its script puts it, in its own order), so a GOT-relative field
 * is checked by the GOT entry or the address it leads to; the veneers, which ld does not make
 * (its script defines a far function at our veneer's address), are decoded and their targets
 * checked; the header, which ld does not write, is checked against ld's symbols.
 */
class LdDifferentialTest {
    private static final long BASE = 0x40000000L;
    private static final long NEAR = 0x50000000L;
    private static final long FAR = 0x7f3456780000L;

    @TempDir
    Path dir;

    @TempDir
    static Path sdkTree;

    static Stream<Arguments> programs() {
        List<Arguments> out = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            for (String opt : List.of("-O0", "-O2")) {
                for (String pic : List.of("-fno-pic", "-fpic")) {
                    out.add(Arguments.of(seed, opt, pic, "-fno-common"));
                }
            }
        }
        for (String opt : List.of("-O1", "-O3", "-Os")) {
            for (String pic : List.of("-fno-pic", "-fpic")) {
                out.add(Arguments.of(3, opt, pic, "-fno-common"));
            }
        }
        out.add(Arguments.of(4, "-O2", "-fno-pic", "-fcommon"));
        out.add(Arguments.of(4, "-O0", "-fpic", "-fcommon"));
        return out.stream();
    }

    @ParameterizedTest(name = "program {0} {1} {2} {3}")
    @MethodSource("programs")
    void generatedProgramMatchesLd(int seed, String opt, String pic, String common) throws Exception {
        Path source = dir.resolve("p" + seed + ".c");
        Files.writeString(source, program(seed, pic.equals("-fpic"), common.equals("-fcommon")));
        Path object = dir.resolve("p" + seed + opt + pic + ".o");
        compile(List.of("gcc", "-c", "-x", "c", "-mcmodel=small", opt, pic, common,
                "-fno-asynchronous-unwind-tables", "-fno-unwind-tables", "-fno-stack-protector",
                "-fcf-protection=none", source.toString(), "-o", object.toString()));
        compareWithLd(object, true);
    }

    /** The SDK's examples, built by its own script into a module tree. */
    static Stream<Arguments> sdkExamples() throws Exception {
        Path tree = sdkTree;
        Processes.Result r = Processes.run(List.of(Corpus.repoRoot().resolve("sdk/examples/build-all").toString(),
                tree.toString()));
        assertEquals(0, r.status(), r.stderrText());
        try (Stream<Path> files = Files.walk(tree)) {
            List<Path> modules = files.filter(f -> f.toString().endsWith(".ko")).sorted().toList();
            assertFalse(modules.isEmpty(), "build-all made modules");
            for (Path m : modules) {
                ElfFile elf = ElfFile.parse(m.toString(), ByteBuffer.wrap(Files.readAllBytes(m)));
                for (Symbol s : elf.symbols(elf.symbolTable().orElseThrow()).all()) {
                    if (!s.isUndefined() && s.isGlobal()) {
                        SDK_EXPORTS.putIfAbsent(s.name(), s.type() != Elf.STT_OBJECT);
                    }
                }
            }
            return modules.stream().map(m -> Arguments.of(m.getFileName().toString(), m));
        }
    }

    /** Globals the SDK examples define, and whether each is code: one module's imports are another's. */
    private static final Map<String, Boolean> SDK_EXPORTS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An SDK example as the modfs loader would link it: imports from the other examples in a
     * module loaded just above this one, the host's functions (modfs_log, vsnprintf…) far
     * away in the host process, reached through veneers.
     */
    @ParameterizedTest(name = "sdk example {0}")
    @MethodSource("sdkExamples")
    void sdkExampleMatchesLd(String name, Path module) throws Exception {
        Path copy = dir.resolve(name);
        Files.copy(module, copy);
        compareWithLd(copy, true);
    }

    @Test
    void everyRelocationTypeMatchesLd() throws Exception {
        Path source = dir.resolve("types.s");
        Files.writeString(source, EVERY_TYPE);
        Path object = dir.resolve("types.o");
        compile(List.of("gcc", "-c", "-x", "assembler", source.toString(), "-o", object.toString()));
        compareWithLd(object, true);
    }

    private static void compile(List<String> command) {
        Processes.Result r = Processes.run(command);
        assertEquals(0, r.status(), () -> String.join(" ", command) + ": " + r.stderrText());
    }

    /** Links {@code object} with both linkers and compares. */
    private void compareWithLd(Path object, boolean expectVeneers) throws Exception {
        ElfFile elf = ElfFile.parse(object.toString(), ByteBuffer.wrap(Files.readAllBytes(object)));
        SymbolMap map = hostSymbols(elf);
        LinkedImage ours = Linker.link(elf, BASE, map);
        Layout layout = ours.layout();
        if (expectVeneers) {
            assertFalse(layout.veneers().isEmpty(), "calls to far host functions make veneers");
        }
        Map<String, Long> imports = new LinkedHashMap<>();
        for (Definition d : map.definitions()) {
            imports.put(d.name(), d.address());
        }
        for (Layout.Veneer v : layout.veneers()) {
            imports.put(v.symbol(), v.address());
        }
        GnuLd.Output ld = GnuLd.link(object, GnuLd.script(ours, imports), dir);

        byte[] image = new byte[(int) layout.header().imageSize()];
        ours.bytes().get(image);
        boolean[] masked = new boolean[image.length];
        mask(masked, BASE, ImageHeader.SIZE);
        for (Layout.Veneer v : layout.veneers()) {
            mask(masked, v.address(), v.size());
            checkVeneer(image, v, map.find(v.symbol()).address());
        }
        mask(masked, layout.got().address(), layout.got().size());
        checkGotFields(elf, ours, image, masked, ld);

        byte[] theirs = ld.read(BASE, image.length);
        ImageHeader h = layout.header();
        compareRegion("text", image, theirs, masked, BASE, h.textEnd(), layout);
        compareRegion("rodata", image, theirs, masked, h.textEnd(), h.rodataEnd(), layout);
        compareRegion("data", image, theirs, masked, h.rodataEnd(), layout.coreEnd(), layout);
        compareRegion("init-text", image, theirs, masked, layout.coreEnd(), h.initTextEnd(), layout);
        compareRegion("init-data", image, theirs, masked, h.initTextEnd(), layout.end(), layout);

        assertEquals(ld.globals().getOrDefault("init_module", 0L), h.init(), "header init");
        assertEquals(ld.globals().getOrDefault("cleanup_module", 0L), h.exit(), "header exit");
        for (LinkedImage.DefinedSymbol s : ours.definedSymbols()) {
            if (s.name().startsWith(".L")) {
                continue; // assembler labels gas keeps for strings: ld drops them from merged sections
            }
            List<Long> at = ld.all().getOrDefault(s.name(), List.of());
            assertTrue(at.contains(s.address()), () -> "symbol " + s.name() + " at 0x" + Long.toHexString(s.address())
                    + " in our image, ld has it at " + at.stream().map(Long::toHexString).toList());
        }
    }

    /**
     * The map a host would give: names with "near" in them 256 MiB above the image, the rest
     * of the imports (libc functions gcc may call, the host API) at a typical shared-library
     * address far beyond a 32-bit field's reach; far_data is data, the rest are functions.
     */
    private static SymbolMap hostSymbols(ElfFile elf) throws Exception {
        SymbolMap.Builder b = new SymbolMap.Builder();
        SymbolTable table = elf.symbols(elf.symbolTable().orElseThrow());
        int near = 0;
        int far = 0;
        for (Symbol s : table.all()) {
            if (!s.isUndefined() || s.name().isEmpty() || s.name().equals("_GLOBAL_OFFSET_TABLE_")) {
                continue;
            }
            Provider host = new Provider.Host("test");
            Boolean sdkFunction = SDK_EXPORTS.get(s.name());
            if (sdkFunction != null) {
                b.define(s.name(), NEAR + 0x40L * near++, sdkFunction, new Provider.Module("sdk"));
            } else if (s.name().contains("near")) {
                b.define(s.name(), NEAR + 0x40L * near++, !s.name().contains("data") && !s.name().contains("obj"), host);
            } else {
                b.define(s.name(), FAR + 0x40L * far++, !s.name().contains("data") && !s.name().contains("obj"), host);
            }
        }
        return b.build();
    }

    private static void mask(boolean[] masked, long address, long size) {
        for (long a = address; a < address + size; a++) {
            masked[(int) (a - BASE)] = true;
        }
    }

    private static void checkVeneer(byte[] image, Layout.Veneer v, long target) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) (v.address() - BASE);
        assertEquals(0x25ff, b.getShort(at) & 0xffff, "veneer for " + v.symbol() + " is jmp *0(%rip)");
        assertEquals(0, b.getInt(at + 2), "veneer for " + v.symbol() + " jumps through the next quadword");
        assertEquals(target, b.getLong(at + 6), "veneer for " + v.symbol() + " reaches the function");
        assertEquals(target, v.target());
    }

    /**
     * The fields whose value depends on where the GOT is and how it is ordered: each must lead,
     * in both images, to the same thing — the same address in the GOT entry, or the same
     * symbol address once the GOT's address is added back.
     */
    private static void checkGotFields(ElfFile elf, LinkedImage ours, byte[] image, boolean[] masked,
                                       GnuLd.Output ld) throws Exception {
        Layout layout = ours.layout();
        long ourGot = layout.got().address();
        Long theirGot = ld.all().containsKey("_GLOBAL_OFFSET_TABLE_") ? ld.all().get("_GLOBAL_OFFSET_TABLE_").get(0) : null;
        ByteBuffer mine = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (RelocationSection rs : elf.relocationSections()) {
            Placement target = layout.sections().stream().filter(p -> p.index() == rs.target().index())
                    .findFirst().orElse(null);
            if (target == null) {
                continue;
            }
            for (Relocation r : elf.relocations(rs)) {
                Architecture.Howto howto = X86_64.INSTANCE.howto(r.type());
                Meaning m = howto.meaning();
                if (m != Meaning.GOT_ENTRY_PC && m != Meaning.GOT_ENTRY_OFFSET && m != Meaning.GOT_RELATIVE
                        && m != Meaning.CALL_GOT_RELATIVE && m != Meaning.GOT_BASE_PC) {
                    continue;
                }
                long p = target.address() + r.offset();
                int size = howto.field().size();
                mask(masked, p, size);
                long mineValue = size == 4 ? mine.getInt((int) (p - BASE)) : mine.getLong((int) (p - BASE));
                ByteBuffer t = ByteBuffer.wrap(ld.read(p, 8)).order(ByteOrder.LITTLE_ENDIAN);
                long theirValue = size == 4 ? t.getInt(0) : t.getLong(0);
                String what = X86_64.INSTANCE.typeName(r.type()) + " at " + target.name() + "+0x" + Long.toHexString(r.offset());
                switch (m) {
                    case GOT_ENTRY_PC -> {
                        long mineEntry = p + mineValue - r.addend();
                        long theirEntry = p + theirValue - r.addend();
                        assertEquals(ld.read64(theirEntry), mine.getLong((int) (mineEntry - BASE)), what + ": GOT entry");
                    }
                    case GOT_ENTRY_OFFSET -> {
                        long mineEntry = ourGot + mineValue - r.addend();
                        long theirEntry = theirGot + theirValue - r.addend();
                        assertEquals(ld.read64(theirEntry), mine.getLong((int) (mineEntry - BASE)), what + ": GOT entry");
                    }
                    case GOT_RELATIVE, CALL_GOT_RELATIVE -> assertEquals(theirValue + theirGot, mineValue + ourGot,
                            what + ": address relative to the GOT");
                    default -> assertEquals(theirValue - theirGot, mineValue - ourGot, what + ": distance to the GOT");
                }
            }
        }
    }

    private static void compareRegion(String region, byte[] ours, byte[] theirs, boolean[] masked, long start,
                                      long end, Layout layout) {
        for (long a = start; a < end; a++) {
            int i = (int) (a - BASE);
            if (!masked[i] && ours[i] != theirs[i]) {
                long address = a;
                String where = layout.sections().stream().filter(p -> p.address() <= address && address < p.end())
                        .map(p -> p.name() + "+0x" + Long.toHexString(address - p.address())).findFirst().orElse("padding");
                throw new AssertionError(String.format("region %s differs at 0x%x (%s): ours %02x, ld %02x",
                        region, a, where, ours[i] & 0xff, theirs[i] & 0xff));
            }
        }
    }

    /**
     * A module-shaped C program, varied by {@code seed}: a jump table, tables of function
     * pointers and of structs with strings, static, global and bss data, near and far imports,
     * init code and data in {@code .init*} sections, and {@code init_module}/{@code cleanup_module}.
     */
    static String program(int seed, boolean pic, boolean common) {
        Random r = new Random(seed);
        int cases = 6 + r.nextInt(10);
        int words = 3 + r.nextInt(5);
        int ops = 2 + r.nextInt(4);
        StringBuilder c = new StringBuilder();
        c.append("extern int host_near(int);\nextern int host_far(const char *);\n");
        c.append("extern long host_far2(long, long);\nextern int near_data[4];\n");
        if (pic) {
            c.append("extern int far_data;\n"); // only the GOT reaches it: -fno-pic code could not
        }
        c.append("static const char *const names[] = {");
        for (int i = 0; i < words; i++) {
            c.append(i == 0 ? "" : ", ").append("\"word").append(seed).append('_').append(i).append("_")
                    .append(Integer.toHexString(r.nextInt(1 << 20))).append('"');
        }
        c.append("};\n");
        c.append(common ? "int counter;\nint bss_table[" : "static int counter;\nint bss_table[")
                .append(16 + seed).append("];\n");
        c.append("int global_data[8] = {");
        for (int i = 0; i < 8; i++) {
            c.append(i == 0 ? "" : ", ").append(r.nextInt(1000));
        }
        c.append("};\nstatic int static_data[4] = {").append(r.nextInt(99)).append(", 2, 3, ")
                .append(r.nextInt(99)).append("};\n");
        c.append("struct entry { const char *name; int (*fn)(int); int value; };\n");
        for (int i = 0; i < ops; i++) {
            c.append("static int op").append(i).append("(int x) { return x * ").append(i + 2)
                    .append(" + static_data[").append(i % 4).append("]; }\n");
        }
        c.append("int (*ops[])(int) = {");
        for (int i = 0; i < ops; i++) {
            c.append("op").append(i).append(", ");
        }
        c.append("host_near};\n");
        c.append("static const struct entry entries[] = {");
        for (int i = 0; i < ops; i++) {
            c.append("{\"entry").append(i).append("\", op").append(i).append(", ").append(r.nextInt(50)).append("}, ");
        }
        c.append("{\"near\", host_near, 7}};\n");
        c.append("void *far_pointer = (void *) host_far;\n");
        c.append("int dispatch(int k, int x) {\n  switch (k) {\n");
        for (int i = 0; i < cases; i++) {
            c.append("  case ").append(i).append(": return ");
            switch (r.nextInt(4)) {
                case 0 -> c.append("x + ").append(r.nextInt(100));
                case 1 -> c.append("host_near(x * ").append(i + 1).append(")");
                case 2 -> c.append("global_data[").append(i % 8).append("] ^ x");
                default -> c.append("host_far(names[").append(i % words).append("])");
            }
            c.append(";\n");
        }
        c.append("  default: return -1;\n  }\n}\n");
        c.append("const char *name_of(unsigned i) { return names[i % ").append(words).append("]; }\n");
        c.append("int use_far(void) {\n  int (*volatile p)(const char *) = host_far;\n  counter++;\n")
                .append("  return p(name_of(counter)) + host_far(\"literal ").append(seed)
                .append("\") + (int) host_far2(counter, (long) &counter);\n}\n");
        c.append("int use_near(int x) {\n  near_data[x & 3] += x;\n  bss_table[x & 15] = x;\n")
                .append("  return host_near(x) + ops[x % ").append(ops + 1).append("](x) + entries[x % ")
                .append(ops + 1).append("].value + global_data[x & 7];\n}\n");
        if (pic) {
            c.append("int use_far_data(void) { return far_data; }\n");
        }
        c.append("__attribute__((section(\".init.data\"))) int init_table[3] = {1, 2, ").append(cases - 1).append("};\n");
        c.append("__attribute__((section(\".init.text\"))) int init_module(void) {\n  int s = 0;\n")
                .append("  for (int i = 0; i < 3; i++)\n    s += dispatch(init_table[i], i);\n")
                .append("  return s + use_far() + use_near(s)").append(pic ? " + use_far_data()" : "").append(";\n}\n");
        c.append("void cleanup_module(void) { counter = 0; host_far(\"bye\"); }\n");
        return c.toString();
    }

    /** Every type X86_64 applies, in code and in data (.reloc makes the ones no instruction does). */
    private static final String EVERY_TYPE = """
                .text
                .globl init_module
                .type init_module, @function
            init_module:
                call near_fn                            # PLT32
                call far_fn                             # PLT32 through a veneer
                movl $local_obj, %eax                   # 32
                movq $local_obj, %rax                   # 32S
                leaq local_obj(%rip), %rax              # PC32
                movq near_obj@GOTPCREL(%rip), %rax      # REX_GOTPCRELX
                movl near_obj@GOTPCREL(%rip), %eax      # GOTPCRELX
                addq far_obj@GOTPCREL(%rip), %rax       # REX_GOTPCRELX, a far object through the GOT
                leaq _GLOBAL_OFFSET_TABLE_(%rip), %rbx  # GOTPC32
            2:  movabsq $_GLOBAL_OFFSET_TABLE_-2b, %r11  # GOTPC64
                movabsq $local_obj@GOTOFF, %rax         # GOTOFF64
                movabsq $near_fn@PLTOFF, %rax           # PLTOFF64
                movabsq $far_fn@PLTOFF, %rax            # PLTOFF64 to a veneer
                movabsq $near_obj@GOT, %rax             # GOT64
                ret
                .size init_module, .-init_module
                .data
                .type local_obj, @object
            local_obj: .quad 1, 2, 3
                .size local_obj, 24
            fields:
                .quad far_fn                            # 64
                .quad init_module - .                   # PC64
                .long near_fn - .                       # PC32
                .reloc ., R_X86_64_PC16, fields
                .short 0
                .reloc ., R_X86_64_PC8, fields+2
                .byte 0
                .reloc ., R_X86_64_16, small16
                .short 0
                .reloc ., R_X86_64_8, small8
                .byte 0
                .reloc ., R_X86_64_SIZE32, local_obj
                .long 0
                .reloc ., R_X86_64_SIZE64, local_obj+8
                .quad 0
                .reloc ., R_X86_64_GOT32, near_obj
                .long 0
                .reloc ., R_X86_64_GOTPCREL64, near_obj
                .quad 0
                .reloc ., R_X86_64_GOTPLT64, near_fn
                .quad 0
                .reloc ., R_X86_64_GOTPCREL, far_obj
                .long 0
                .reloc ., R_X86_64_NONE, local_obj
                .set small16, 0x1234
                .set small8, 0x7f
            """;
}

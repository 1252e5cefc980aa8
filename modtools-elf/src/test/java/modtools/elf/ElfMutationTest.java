package modtools.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Damaged objects: truncations, flipped and randomised bytes, and huge counts and offsets in
 * the ELF header, the section header table, symbol tables, relocation sections, string tables
 * and notes, made from real modules and from objects built here (both classes, both byte
 * orders, and one past SHN_LORESERVE). Each is parsed and then walked completely; the only
 * allowed outcomes are a normal return and {@link ElfFormatException}. Anything else, or a
 * walk that does not finish, fails the test with the seed and the mutation.
 */
class ElfMutationTest {
    /** Fixed, so that a failure names a mutation that can be made again. */
    private static final long RANDOM_SEED = 0x6d6f64746f6f6c73L;
    private static final int MUTATIONS_PER_SEED = 1_300;
    private static final int MUTATIONS_OF_BIG_SEED = 120;
    private static final long PER_OBJECT_TIMEOUT_SECONDS = 10;
    private static final int MAX_REPORTED = 25;

    /** A seed object with the layout facts the mutations aim at. */
    private record Seed(String name, byte[] bytes, boolean is64, ByteOrder order, long shoff, int shentsize,
                        List<Section> sections) {
        int w() {
            return is64 ? 8 : 4;
        }
    }

    /** One damaged object: what was done, and the bytes (with a position and limit). */
    private record Mutant(String description, ByteBuffer buffer) {}

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void damagedObjectsEndInElfFormatExceptionOrParse() throws Exception {
        List<Seed> seeds = seeds();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mutation-walker");
            t.setDaemon(true);
            return t;
        });
        List<String> failures = new ArrayList<>();
        int total = 0;
        int rejected = 0;
        try {
            for (int s = 0; s < seeds.size(); s++) {
                Seed seed = seeds.get(s);
                Random random = new Random(RANDOM_SEED + s);
                int count = seed.bytes.length > 1_000_000 ? MUTATIONS_OF_BIG_SEED : MUTATIONS_PER_SEED;
                List<Mutant> mutants = mutants(seed, random, count);
                for (Mutant m : mutants) {
                    total++;
                    Future<Throwable> result = worker.submit(() -> {
                        try {
                            walk(seed.name + " / " + m.description, m.buffer);
                            return null;
                        } catch (ElfFormatException e) {
                            return e;
                        } catch (Throwable t) {
                            return t;
                        }
                    });
                    Throwable t;
                    try {
                        t = result.get(PER_OBJECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        result.cancel(true);
                        failures.add(seed.name + " / " + m.description + ": no result after "
                                + PER_OBJECT_TIMEOUT_SECONDS + " s (hang?)");
                        // the stuck walker thread is a daemon; go on with a fresh one
                        worker.shutdownNow();
                        worker = Executors.newSingleThreadExecutor(r -> {
                            Thread th = new Thread(r, "mutation-walker");
                            th.setDaemon(true);
                            return th;
                        });
                        continue;
                    }
                    if (t instanceof ElfFormatException) {
                        rejected++;
                    } else if (t != null) {
                        failures.add(seed.name + " / " + m.description + ": " + stackTop(t));
                    }
                }
            }
        } finally {
            worker.shutdownNow();
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + total + " damaged objects ended in something other than ElfFormatException"
                    + " (random seed 0x" + Long.toHexString(RANDOM_SEED) + "):\n  "
                    + String.join("\n  ", failures.subList(0, Math.min(MAX_REPORTED, failures.size()))));
        }
        System.out.println("ElfMutationTest: " + total + " damaged objects from " + seeds.size() + " seeds, "
                + rejected + " rejected by parse, " + (total - rejected) + " parsed and walked");
        assertTrue(total >= 10_000, "only " + total + " damaged objects");
        // the mutations must reach past the header checks, and must also break things
        assertTrue(rejected > total / 10 && rejected < total - total / 10,
                rejected + " of " + total + " damaged objects rejected at the top level");
    }

    /** The seeds parse and walk cleanly: the test above starts from sound objects. */
    @Test
    void seedsAreSound() throws Exception {
        List<Seed> seeds = seeds();
        assertTrue(seeds.stream().anyMatch(s -> !s.is64) && seeds.stream().anyMatch(s -> s.is64));
        assertTrue(seeds.stream().anyMatch(s -> s.order == ByteOrder.BIG_ENDIAN)
                && seeds.stream().anyMatch(s -> s.order == ByteOrder.LITTLE_ENDIAN));
        for (Seed s : seeds) {
            assertEquals(0, strictWalk(s.name, ByteBuffer.wrap(s.bytes)), s.name + " has problems");
            ElfFile elf = ElfFile.parse(s.name, ByteBuffer.wrap(s.bytes));
            assertTrue(elf.symbolTable().isPresent() && !elf.relocationSections().isEmpty(),
                    s.name + " has symbols and relocations");
        }
    }

    // ---------------------------------------------------------------- seeds

    private static List<Seed> seeds;

    private static synchronized List<Seed> seeds() throws ElfFormatException {
        if (seeds != null) {
            return seeds;
        }
        List<Seed> out = new ArrayList<>();
        // three real modules of moderate size, chosen by path so the choice is stable
        int picked = 0;
        for (Path p : TestObjects.corpusModules()) {
            long size = p.toFile().length();
            if (size >= 12_000 && size <= 40_000 && picked < 3) {
                out.add(seed(TestObjects.corpusRoot().relativize(p).toString(), TestObjects.read(p)));
                picked++;
            }
        }
        assertEquals(3, picked, "corpus modules of 12-40 kB");
        for (String name : List.of("x86_64-small", "i386-small", "ppc64be", "ppc32be", "x86_64-small-shnum0",
                "i386-small-shnum0", "xindex32")) {
            out.add(seed(name, TestObjects.read(TestObjects.obj(name).path())));
        }
        seeds = out;
        return seeds;
    }

    private static Seed seed(String name, byte[] bytes) throws ElfFormatException {
        ElfFile elf = ElfFile.parse(name, ByteBuffer.wrap(bytes));
        ElfHeader h = elf.header();
        return new Seed(name, bytes, h.is64(), h.order(), h.sectionHeaderOffset(), h.sectionHeaderEntrySize(),
                elf.sections());
    }

    // ---------------------------------------------------------------- the walk

    /**
     * Parses and then uses everything the reader offers, the way its callers do. A structure
     * the reader rejects is skipped so that the walk goes on to the others; the first
     * rejection that stops the parse itself propagates.
     */
    static void walk(String name, ByteBuffer buffer) throws ElfFormatException {
        walk(name, buffer, e -> { });
    }

    /** As {@link #walk}, counting rejections: 0 for a sound object. */
    static int strictWalk(String name, ByteBuffer buffer) throws ElfFormatException {
        int[] problems = {0};
        walk(name, buffer, e -> problems[0]++);
        return problems[0];
    }

    private static void walk(String name, ByteBuffer buffer, Consumer<ElfFormatException> rejected)
            throws ElfFormatException {
        ElfFile elf = ElfFile.parse(name, buffer);
        elf.header();
        touch(elf.bytes());
        List<Section> sections = elf.sections();
        for (Section s : sections) {
            try {
                touch(elf.data(s));
            } catch (ElfFormatException e) {
                rejected.accept(e);
            }
            if (s.type() == Elf.SHT_SYMTAB || s.type() == Elf.SHT_DYNSYM) {
                try {
                    SymbolTable table = elf.symbols(s);
                    try {
                        for (Symbol y : table.all()) {
                            y.isGlobal();
                            y.isUndefined();
                        }
                    } catch (ElfFormatException e) {
                        rejected.accept(e);
                        // decode one by one, so the entries after a bad one are read too
                        for (int i = 0; i < table.size(); i++) {
                            try {
                                table.get(i);
                            } catch (ElfFormatException e2) {
                                // counted once above
                            }
                        }
                    }
                    // the one-field accessors, as scans over many symbols use them
                    for (int i = 0; i < table.size(); i++) {
                        try {
                            table.info(i);
                            table.value(i);
                            table.sectionIndex(i);
                            table.nameIsEmpty(i);
                            table.nameStartsWith(i, PREFIX);
                            table.name(i);
                        } catch (ElfFormatException e) {
                            // the same damage get(i) met
                        }
                    }
                    expectRejected(() -> table.get(-1));
                    expectRejected(() -> table.get(table.size()));
                } catch (ElfFormatException e) {
                    rejected.accept(e);
                }
            }
            if (s.type() == Elf.SHT_NOTE) {
                try {
                    for (Note n : elf.notes(s)) {
                        n.name().length();
                        touch(n.descriptor());
                    }
                } catch (ElfFormatException e) {
                    rejected.accept(e);
                }
            }
        }
        try {
            for (RelocationSection rs : elf.relocationSections()) {
                rs.hasAddends();
                rs.target().name();
                try {
                    List<Relocation> relocations = elf.relocations(rs);
                    SymbolTable symbols = elf.symbols(rs.symbolTable());
                    int looked = 0;
                    for (Relocation r : relocations) {
                        if (looked++ < 512) { // callers resolve the symbols of relocations
                            try {
                                symbols.get(r.symbolIndex());
                            } catch (ElfFormatException e) {
                                rejected.accept(e);
                            }
                        }
                    }
                } catch (ElfFormatException e) {
                    rejected.accept(e);
                }
            }
        } catch (ElfFormatException e) {
            rejected.accept(e);
        }
        elf.section(".modinfo");
        elf.section("__versions");
        elf.symbolTable();
        expectRejected(() -> elf.section(-1, "test"));
        expectRejected(() -> elf.section(sections.size(), "test"));
    }

    private static final byte[] PREFIX = "__ksymtab_".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private interface Call {
        void run() throws ElfFormatException;
    }

    private static void expectRejected(Call call) {
        try {
            call.run();
        } catch (ElfFormatException expected) {
            return;
        }
        throw new AssertionError("an out-of-range index was not rejected");
    }

    private static void touch(ByteView v) throws ElfFormatException {
        long size = v.size();
        if (size > 0) {
            v.u8(0, "test");
            v.u8(size - 1, "test");
            v.cstringLength(0);
        }
        ByteBuffer b = v.asBuffer();
        if (b.remaining() != size) {
            throw new AssertionError("asBuffer has " + b.remaining() + " bytes, the view " + size);
        }
    }

    private static String stackTop(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String[] lines = w.toString().split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(6, lines.length); i++) {
            b.append(i == 0 ? "" : " | ").append(lines[i].strip());
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- mutations

    private static final long[] SPECIAL = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff0, 0xff00, 0xfff1, 0xfff2, 0xffff, 0x10000, 0x7fffffffL,
        0x80000000L, 0xfffffff0L, 0xffffffffL, 0x100000000L, 0x7fffffffffffffffL, 0x8000000000000000L,
        0xfffffffffffffff0L, -1L,
    };

    private static long special(Seed seed, Random random) {
        int pick = random.nextInt(SPECIAL.length + 4);
        long size = seed.bytes.length;
        return switch (pick - SPECIAL.length) {
            case 0 -> size;
            case 1 -> size - 1;
            case 2 -> size + 1;
            case 3 -> random.nextInt((int) size);
            default -> SPECIAL[pick];
        };
    }

    /** An edit of a copy of the seed's bytes, with its description. */
    private interface Edit {
        String apply(Seed seed, byte[] b, Random random);
    }

    private static List<Mutant> mutants(Seed seed, Random random, int count) {
        List<Mutant> out = new ArrayList<>();
        int size = seed.bytes.length;
        // truncations: every length through the ELF header and the first section headers,
        // the edges of sections and of the section header table, and random lengths
        List<Long> lengths = new ArrayList<>();
        for (int l = 0; l <= Math.min(size - 1, 160); l++) {
            lengths.add((long) l);
        }
        for (int k = 0; k < 8 && seed.shoff + (long) k * seed.shentsize < size; k++) {
            long at = seed.shoff + (long) k * seed.shentsize;
            lengths.add(at);
            lengths.add(at + 1);
            lengths.add(at + seed.shentsize / 2);
        }
        lengths.add((long) size - 1);
        for (int k = 0; k < 40; k++) {
            Section s = seed.sections.get(random.nextInt(seed.sections.size()));
            for (long l : new long[] {s.offset(), s.offset() + 1, s.offset() + s.fileSize() - 1}) {
                if (l >= 0 && l < size) {
                    lengths.add(l);
                }
            }
        }
        while (lengths.size() < count / 6) {
            lengths.add((long) random.nextInt(size));
        }
        while (lengths.size() > count / 3) {
            lengths.remove(random.nextInt(lengths.size()));
        }
        for (long l : lengths) {
            if (out.size() % 2 == 0) {
                out.add(new Mutant("truncated to " + l + " bytes", ByteBuffer.wrap(seed.bytes.clone(), 0, (int) l).slice()));
            } else {
                out.add(new Mutant("truncated to " + l + " bytes (by limit)",
                        ByteBuffer.wrap(seed.bytes).limit((int) l).asReadOnlyBuffer()));
            }
        }
        List<Edit> edits = edits(seed);
        while (out.size() < count) {
            byte[] b = seed.bytes.clone();
            String description;
            if (random.nextInt(10) == 0) {
                StringBuilder d = new StringBuilder("combined:");
                for (int k = 2 + random.nextInt(3); k > 0; k--) {
                    d.append(" [").append(edits.get(random.nextInt(edits.size())).apply(seed, b, random)).append(']');
                }
                description = d.toString();
            } else {
                description = edits.get(random.nextInt(edits.size())).apply(seed, b, random);
            }
            out.add(new Mutant(description, placed(b, out.size(), random)));
        }
        return out;
    }

    /** Most mutants start at buffer position 0; some sit after a prefix, some in a direct buffer. */
    private static ByteBuffer placed(byte[] b, int n, Random random) {
        switch (n % 7) {
            case 3: {
                int prefix = 1 + random.nextInt(64);
                byte[] withPrefix = new byte[prefix + b.length + 16];
                random.nextBytes(withPrefix);
                System.arraycopy(b, 0, withPrefix, prefix, b.length);
                return ByteBuffer.wrap(withPrefix, prefix, b.length);
            }
            case 5: {
                ByteBuffer direct = ByteBuffer.allocateDirect(b.length);
                direct.put(b).flip();
                return direct;
            }
            default:
                return ByteBuffer.wrap(b);
        }
    }

    private static List<Edit> edits(Seed seed) {
        List<Edit> edits = new ArrayList<>();
        int ehsize = seed.is64 ? 64 : 52;
        // ELF header: random bytes, and each section-table field set to an extreme
        for (int k = 0; k < 3; k++) {
            edits.add((s, b, r) -> {
                int at = r.nextInt(ehsize);
                int v = r.nextInt(256);
                b[at] = (byte) v;
                return "ELF header byte " + at + " = 0x" + Integer.toHexString(v);
            });
        }
        int[][] headerFields = seed.is64
                ? new int[][] {{40, 8}, {58, 2}, {60, 2}, {62, 2}, {52, 2}}
                : new int[][] {{32, 4}, {46, 2}, {48, 2}, {50, 2}, {40, 2}};
        String[] headerNames = {"e_shoff", "e_shentsize", "e_shnum", "e_shstrndx", "e_ehsize"};
        for (int k = 0; k < headerFields.length; k++) {
            int[] f = headerFields[k];
            String fieldName = headerNames[k];
            edits.add((s, b, r) -> {
                long v = special(s, r);
                put(s, b, f[0], f[1], v);
                return fieldName + " = 0x" + Long.toHexString(mask(v, f[1]));
            });
        }
        edits.add((s, b, r) -> {
            b[4] = (byte) (b[4] == 1 ? 2 : 1);
            return "EI_CLASS swapped";
        });
        edits.add((s, b, r) -> {
            b[5] = (byte) (b[5] == 1 ? 2 : 1);
            return "EI_DATA swapped";
        });

        // section headers: a field of a random header set to an extreme or a random value
        String[] shNames = {"sh_name", "sh_type", "sh_flags", "sh_addr", "sh_offset", "sh_size", "sh_link", "sh_info",
            "sh_addralign", "sh_entsize"};
        int[] sh64 = {0, 4, 8, 16, 24, 32, 40, 44, 48, 56};
        int[] sh32 = {0, 4, 8, 12, 16, 20, 24, 28, 32, 36};
        int[] width64 = {4, 4, 8, 8, 8, 8, 4, 4, 8, 8};
        for (int k = 0; k < 4; k++) {
            edits.add((s, b, r) -> {
                int sec = r.nextInt(4) == 0 ? 0 : r.nextInt(s.sections.size());
                int field = r.nextInt(shNames.length);
                int width = s.is64 ? width64[field] : 4;
                long v;
                if (field == 1 && r.nextBoolean()) {
                    int[] types = {Elf.SHT_NULL, Elf.SHT_SYMTAB, Elf.SHT_STRTAB, Elf.SHT_RELA, Elf.SHT_NOTE, Elf.SHT_NOBITS,
                        Elf.SHT_REL, Elf.SHT_DYNSYM, Elf.SHT_GROUP, Elf.SHT_SYMTAB_SHNDX};
                    v = types[r.nextInt(types.length)];
                } else if ((field == 6 || field == 7) && r.nextBoolean()) {
                    v = r.nextInt(s.sections.size() + 2);
                } else {
                    v = r.nextInt(5) == 0 ? r.nextLong() : special(s, r);
                }
                long at = s.shoff + (long) sec * s.shentsize + (s.is64 ? sh64[field] : sh32[field]);
                put(s, b, at, width, v);
                return "section " + sec + " " + shNames[field] + " = 0x" + Long.toHexString(mask(v, width));
            });
        }
        edits.add((s, b, r) -> {
            long table = (long) s.sections.size() * s.shentsize;
            long at = s.shoff + (long) (r.nextDouble() * table);
            int v = r.nextInt(256);
            if (at < b.length) {
                b[(int) at] = (byte) v;
            }
            return "section header table byte at 0x" + Long.toHexString(at) + " = 0x" + Integer.toHexString(v);
        });

        // symbol tables, relocations, string tables and notes of this seed
        for (Section sec : seed.sections) {
            if (sec.type() == Elf.SHT_SYMTAB && sec.size() > 0) {
                int entry = seed.is64 ? 24 : 16;
                // name, info, other, shndx, value, size
                int[] at64 = {0, 4, 5, 6, 8, 16};
                int[] at32 = {0, 12, 13, 14, 4, 8};
                int[] w64 = {4, 1, 1, 2, 8, 8};
                int[] w32 = {4, 1, 1, 2, 4, 4};
                String[] names = {"st_name", "st_info", "st_other", "st_shndx", "st_value", "st_size"};
                for (int k = 0; k < 3; k++) {
                    edits.add((s, b, r) -> {
                        long n = sec.size() / entry;
                        long i = r.nextInt(3) == 0 ? r.nextInt((int) Math.min(n, 4)) : (long) (r.nextDouble() * n);
                        int field = r.nextInt(names.length);
                        int width = s.is64 ? w64[field] : w32[field];
                        long v = field == 3 && r.nextBoolean()
                                ? new long[] {0xffff, 0xff00, 0xfff1, 0xfff2, 0xfffe, s.sections.size(), s.sections.size() - 1}[r.nextInt(7)]
                                : special(s, r);
                        put(s, b, sec.offset() + i * entry + (s.is64 ? at64[field] : at32[field]), width, v);
                        return sec.name() + " symbol " + i + " " + names[field] + " = 0x" + Long.toHexString(mask(v, width));
                    });
                }
            }
            if (sec.type() == Elf.SHT_SYMTAB_SHNDX && sec.size() > 0) {
                edits.add((s, b, r) -> {
                    long i = (long) (r.nextDouble() * (sec.size() / 4));
                    long v = r.nextBoolean() ? special(s, r) : r.nextInt(s.sections.size() + 10);
                    put(s, b, sec.offset() + i * 4, 4, v);
                    return sec.name() + " entry " + i + " = 0x" + Long.toHexString(mask(v, 4));
                });
            }
            if ((sec.type() == Elf.SHT_RELA || sec.type() == Elf.SHT_REL) && sec.size() > 0) {
                boolean rela = sec.type() == Elf.SHT_RELA;
                int w = seed.w();
                int entry = w * (rela ? 3 : 2);
                edits.add((s, b, r) -> {
                    long i = (long) (r.nextDouble() * (sec.size() / entry));
                    int field = r.nextInt(rela ? 3 : 2);
                    long v;
                    if (field == 1 && r.nextBoolean()) {
                        long sym = r.nextBoolean() ? r.nextInt(100_000) : special(s, r);
                        v = s.is64 ? (sym << 32) | r.nextInt(64) : (sym << 8) | r.nextInt(64);
                    } else {
                        v = special(s, r);
                    }
                    put(s, b, sec.offset() + i * entry + (long) field * w, w, v);
                    return sec.name() + " entry " + i + " " + new String[] {"r_offset", "r_info", "r_addend"}[field]
                            + " = 0x" + Long.toHexString(mask(v, w));
                });
            }
            if (sec.type() == Elf.SHT_STRTAB && sec.size() > 0) {
                edits.add((s, b, r) -> {
                    // the string table loses its terminators from some point on
                    long from = sec.offset() + (long) (r.nextDouble() * sec.size());
                    for (long p = from; p < sec.offset() + sec.size() && p < b.length; p++) {
                        if (b[(int) p] == 0) {
                            b[(int) p] = 'A';
                        }
                    }
                    return sec.name() + " without NULs from 0x" + Long.toHexString(from);
                });
                edits.add((s, b, r) -> {
                    long at = sec.offset() + (long) (r.nextDouble() * sec.size());
                    int v = r.nextInt(256);
                    b[(int) at] = (byte) v;
                    return sec.name() + " byte at 0x" + Long.toHexString(at) + " = 0x" + Integer.toHexString(v);
                });
            }
            if (sec.type() == Elf.SHT_NOTE && sec.size() >= 12) {
                edits.add((s, b, r) -> {
                    String[] names = {"n_namesz", "n_descsz", "n_type"};
                    int field = r.nextInt(3);
                    long v = special(s, r);
                    put(s, b, sec.offset() + field * 4L, 4, v);
                    return sec.name() + " first note " + names[field] + " = 0x" + Long.toHexString(mask(v, 4));
                });
            }
        }
        // random runs of garbage anywhere
        edits.add((s, b, r) -> {
            int at = r.nextInt(b.length);
            int n = 1 + r.nextInt(16);
            for (int i = at; i < Math.min(b.length, at + n); i++) {
                b[i] = (byte) r.nextInt(256);
            }
            return n + " random bytes at 0x" + Integer.toHexString(at);
        });
        return edits;
    }

    private static long mask(long v, int width) {
        return width == 8 ? v : v & ((1L << (8 * width)) - 1);
    }

    /** Writes a field in the seed's byte order; a field partly or wholly outside is cut off. */
    private static void put(Seed s, byte[] b, long at, int width, long v) {
        for (int i = 0; i < width; i++) {
            int shift = s.order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (width - 1 - i);
            long p = at + i;
            if (p >= 0 && p < b.length) {
                b[(int) p] = (byte) (v >>> shift);
            }
        }
    }
}

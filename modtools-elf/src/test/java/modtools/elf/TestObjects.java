package modtools.elf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;

/**
 * The objects the reader's tests run on: the kernel modules of the test corpus and objects
 * built here with gcc and the GNU assemblers. Everything is made once per test JVM, in a
 * temporary directory that is removed at exit. A missing tool fails the test that needs it
 * with the Debian package to install; it never skips.
 */
final class TestObjects {
    static final String READELF = "readelf";
    static final String PPC_READELF = "powerpc64-linux-gnu-readelf";
    static final String PPC_AS = "powerpc64-linux-gnu-as";

    /** Sections in the objects that go past SHN_LORESERVE (0xff00 = 65280). */
    static final int XINDEX_SECTIONS = 66_000;

    /** One built object and the readelf that understands it. */
    record Obj(String name, Path path, String readelf) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Object WORK_DIR_LOCK = new Object();
    private static Path workDir;
    private static Path corpusRoot;
    private static List<Path> corpusModules;
    private static Map<String, Obj> built;

    private TestObjects() {}

    // ---------------------------------------------------------------- locations

    static Path workDir() {
        synchronized (WORK_DIR_LOCK) {
            return createWorkDir();
        }
    }

    private static Path createWorkDir() {
        if (workDir == null) {
            try {
                workDir = Files.createTempDirectory("modtools-elf-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path dir = workDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        }
        return workDir;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort at exit
        }
    }

    /** The unpacked Debian kernel package (it holds lib/modules/VERSION/kernel). */
    static synchronized Path corpusRoot() {
        if (corpusRoot == null) {
            corpusRoot = Corpus.cloud();
        }
        return corpusRoot;
    }

    /** Every uncompressed .ko of the corpus, sorted by path. */
    static synchronized List<Path> corpusModules() {
        if (corpusModules == null) {
            try (Stream<Path> walk = Files.walk(corpusRoot().resolve("lib/modules"))) {
                corpusModules = walk.filter(p -> p.getFileName().toString().endsWith(".ko"))
                        .filter(Files::isRegularFile)
                        .sorted()
                        .collect(Collectors.toUnmodifiableList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return corpusModules;
    }

    // ---------------------------------------------------------------- tools

    /** Runs a command to completion, failing the test when it outlives {@code timeoutSeconds}. */
    static Processes.Result run(Path dir, List<String> command, int timeoutSeconds) {
        try {
            return Processes.run(dir, command, timeoutSeconds);
        } catch (IllegalStateException e) {
            return fail(e.getMessage() + ": " + String.join(" ", command));
        }
    }

    /** Fails (does not skip) when a tool is not installed, naming the Debian package. */
    static void requireTool(String tool, String debianPackage) {
        boolean found = false;
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, tool))) {
                found = true;
                break;
            }
        }
        if (!found) {
            fail("'" + tool + "' is not installed; this test needs it (Debian package: " + debianPackage + ")");
        }
    }

    static ByteBuffer map(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- built objects

    /** Everything built here, by name; built once, two jobs at a time. */
    static synchronized Map<String, Obj> built() {
        if (built != null) {
            return built;
        }
        requireTool("gcc", "gcc");
        requireTool("as", "binutils");
        requireTool(READELF, "binutils");
        requireTool(PPC_AS, "binutils-powerpc64-linux-gnu");
        requireTool(PPC_READELF, "binutils-powerpc64-linux-gnu");
        Path dir = workDir().resolve("objects");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("big.c"), cSource(1000, 500), StandardCharsets.ISO_8859_1);
            Files.writeString(dir.resolve("small.c"), cSource(6, 4), StandardCharsets.ISO_8859_1);
            Files.writeString(dir.resolve("ppc64.s"), ppcSource(".quad"), StandardCharsets.ISO_8859_1);
            Files.writeString(dir.resolve("ppc32.s"), ppcSource(".long"), StandardCharsets.ISO_8859_1);
            Files.writeString(dir.resolve("xindex64.s"), xindexSource(XINDEX_SECTIONS, ".quad"), StandardCharsets.ISO_8859_1);
            Files.writeString(dir.resolve("xindex32.s"), xindexSource(XINDEX_SECTIONS, ".long"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        // name -> command; the object is dir/name.o
        Map<String, List<String>> jobs = new LinkedHashMap<>();
        jobs.put("x86_64-O2-pic-sections-g3", gcc("big.c", "-O2", "-fpic", "-ffunction-sections", "-fdata-sections", "-g3", "-fcf-protection=full"));
        jobs.put("i386-O2-nopic-sections-g", gcc("big.c", "-m32", "-O2", "-fno-pic", "-ffunction-sections", "-fdata-sections", "-g"));
        jobs.put("x86_64-O2-nopic-sections-common", gcc("big.c", "-O2", "-fno-pic", "-ffunction-sections", "-fdata-sections", "-fcommon"));
        jobs.put("x86_64-O0-nopic-g", gcc("big.c", "-O0", "-fno-pic", "-g"));
        jobs.put("i386-O0-pic-common", gcc("big.c", "-m32", "-O0", "-fpic", "-fcommon", "-fcf-protection=full"));
        jobs.put("x86_64-small", gcc("small.c", "-O2", "-fno-pic", "-ffunction-sections", "-fcommon", "-fcf-protection=full"));
        jobs.put("i386-small", gcc("small.c", "-m32", "-O1", "-fpic", "-ffunction-sections", "-fcommon"));
        jobs.put("ppc64be", List.of(PPC_AS, "-a64", "-o", "ppc64be.o", "ppc64.s"));
        jobs.put("ppc32be", List.of(PPC_AS, "-a32", "-o", "ppc32be.o", "ppc32.s"));
        jobs.put("xindex64", List.of("as", "--64", "-o", "xindex64.o", "xindex64.s"));
        jobs.put("xindex32", List.of("as", "--32", "-o", "xindex32.o", "xindex32.s"));

        ExecutorService pool = Executors.newFixedThreadPool(2);
        Map<String, Future<Processes.Result>> running = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> job : jobs.entrySet()) {
            List<String> cmd = new ArrayList<>(job.getValue());
            if (cmd.get(0).equals("gcc")) {
                cmd.add("-o");
                cmd.add(job.getKey() + ".o");
            }
            running.put(job.getKey(), pool.submit(() -> run(dir, cmd, 300)));
        }
        pool.shutdown();
        Map<String, Obj> out = new LinkedHashMap<>();
        for (Map.Entry<String, Future<Processes.Result>> job : running.entrySet()) {
            String name = job.getKey();
            Processes.Result r;
            try {
                r = job.getValue().get();
            } catch (Exception e) {
                return fail("building " + name + ": " + e);
            }
            if (r.status() != 0) {
                String hint = name.startsWith("i386") ? " (gcc -m32 needs the Debian package gcc-multilib)" : "";
                fail("building " + name + " failed" + hint + ": " + String.join(" ", jobs.get(name)) + "\n" + r.stderrText());
            }
            String readelf = name.startsWith("ppc") ? PPC_READELF : READELF;
            out.put(name, new Obj(name, dir.resolve(name + ".o"), readelf));
        }
        // The e_shnum = 0 / e_shstrndx = SHN_XINDEX form, written for objects that do not need it.
        for (String small : List.of("x86_64-small", "i386-small", "ppc32be")) {
            Obj o = out.get(small);
            Path escaped = dir.resolve(small + "-shnum0.o");
            try {
                Files.write(escaped, withExtendedCounts(read(o.path())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.put(small + "-shnum0", new Obj(small + "-shnum0", escaped, o.readelf()));
        }
        built = out;
        return built;
    }

    static Obj obj(String name) {
        Obj o = built().get(name);
        if (o == null) {
            fail("no built object " + name);
        }
        return o;
    }

    private static List<String> gcc(String source, String... flags) {
        List<String> cmd = new ArrayList<>();
        cmd.add("gcc");
        cmd.add("-c");
        cmd.add("-w");
        cmd.addAll(List.of(flags));
        cmd.add(source);
        return cmd;
    }

    /**
     * Rewrites an object so that e_shnum is 0 with the count in section 0's sh_size and
     * e_shstrndx is SHN_XINDEX with the index in section 0's sh_link, as the gABI allows for
     * any object. Only the ELF header and section 0 change.
     */
    static byte[] withExtendedCounts(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf.clone());
        b.order(elf[5] == Elf.ELFDATA2MSB ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        boolean is64 = elf[4] == Elf.ELFCLASS64;
        long shoff = is64 ? b.getLong(40) : b.getInt(32) & 0xffffffffL;
        int shnumAt = is64 ? 60 : 48;
        int shnum = b.getShort(shnumAt) & 0xffff;
        int shstrndx = b.getShort(shnumAt + 2) & 0xffff;
        b.putShort(shnumAt, (short) 0);
        b.putShort(shnumAt + 2, (short) Elf.SHN_XINDEX);
        if (is64) {
            b.putLong((int) shoff + 32, shnum);
            b.putInt((int) shoff + 40, shstrndx);
        } else {
            b.putInt((int) shoff + 20, shnum);
            b.putInt((int) shoff + 24, shstrndx);
        }
        return b.array();
    }

    // ---------------------------------------------------------------- sources

    /**
     * C that gives gcc reasons to emit most of what a module has: functions and data in their
     * own sections (with -ffunction-sections/-fdata-sections a few thousand sections), local,
     * global, weak, hidden, protected and internal symbols, TLS, common, IFUNC, a large .bss
     * object (readelf prints its size in hex), string merging, jump tables, notes in 4- and
     * 8-byte aligned sections (with -fcf-protection also .note.gnu.property) and
     * relocations of every usual kind.
     */
    static String cSource(int functions, int dataObjects) {
        StringBuilder s = new StringBuilder();
        s.append("""
                extern int ext_fn(int);
                extern int ext_data[];
                int common_var;
                __thread int tls_var = 3;
                static __thread int tls_local;
                __attribute__((weak)) int weak_data = 7;
                extern int weak_undef(int) __attribute__((weak));
                __attribute__((visibility("hidden"))) int hidden_data = 5;
                __attribute__((visibility("protected"))) int protected_fn(int x) { return x + hidden_data + tls_local++; }
                __attribute__((visibility("internal"))) int internal_fn(int x) { return x * 2; }
                long big_array[40000];
                static int impl_a(int x) { return x + 1; }
                static int (*resolve_pick(void))(int) { return impl_a; }
                int picked(int) __attribute__((ifunc("resolve_pick")));
                __attribute__((section(".modinfo"), used)) static const char modinfo_license[] = "license=GPL";
                __asm__(".pushsection .note.modtools,\\"a\\",@note\\n.balign 4\\n.long 9\\n.long 8\\n.long 0x42\\n"
                        ".asciz \\"modtools\\"\\n.balign 4\\n.long 0x11223344\\n.long 0x55667788\\n.popsection");
                __asm__(".pushsection .note.modtools8,\\"a\\",@note\\n.balign 8\\n"
                        ".long 5\\n.long 12\\n.long 0x43\\n.asciz \\"abcd\\"\\n.balign 8\\n.long 1,2,3\\n.balign 8\\n"
                        ".long 4\\n.long 4\\n.long 0x44\\n.asciz \\"xyz\\"\\n.balign 8\\n.long 0xdeadbeef\\n.balign 8\\n"
                        ".long 9\\n.long 0\\n.long 0x45\\n.asciz \\"modtools\\"\\n.balign 8\\n.popsection");
                const char *describe(int k) {
                  switch (k) {
                  case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
                  case 4: return "four"; case 5: return "five"; case 6: return "six"; default: return "many";
                  }
                }
                """);
        for (int i = 0; i < dataObjects; i++) {
            if (i % 2 == 0) {
                s.append("int data_").append(i).append(" = ").append(i).append(";\n");
            } else {
                s.append("int *ptr_").append(i).append(" = &data_").append(i - 1).append(" + ").append(i % 5).append(";\n");
            }
        }
        for (int i = 0; i < functions; i++) {
            s.append("static int counter_").append(i).append(";\n");
            s.append("static int helper_").append(i).append("(int x) { return ext_fn(x + counter_").append(i)
                    .append(") + ext_data[").append(i % 7).append("]; }\n");
            s.append("int fn_").append(i).append("(int x) { counter_").append(i).append("++; return (helper_").append(i)
                    .append("(x) ^ (weak_undef ? weak_undef(x) : 0)) + tls_var + data_")
                    .append((i * 2) % dataObjects).append("; }\n");
        }
        s.append("int (*const table[])(int) = {");
        for (int i = 0; i < functions; i++) {
            s.append(i == 0 ? "" : ",").append("fn_").append(i);
        }
        s.append("};\n");
        return s.toString();
    }

    /** PowerPC assembly for both classes; {@code word} is .quad (64-bit) or .long (32-bit). */
    static String ppcSource(String word) {
        return """
                	.section .text
                	.globl func
                	.type func,@function
                func:
                	li 3,0
                	bl ext_fn
                	nop
                	bl local_fn
                	blr
                	.size func,.-func
                local_fn:
                	blr
                	.section .data,"aw",@progbits
                	.align 3
                	.globl ptr
                	.type ptr,@object
                ptr:	WORD func
                	WORD local_obj+16
                	WORD local_obj-8
                	WORD ext_data+0x1234
                	.long 0x12345678
                	.size ptr,.-ptr
                	.section .rodata,"a",@progbits
                local_obj: .asciz "hello"
                	.section .rodata.str1.1,"aMS",@progbits,1
                	.asciz "merged"
                	.section .note.modtools,"a",@note
                	.balign 4
                	.long 9, 8, 0x42
                	.asciz "modtools"
                	.balign 4
                	.long 0x11223344, 0x55667788
                	.section .data.more,"aw",@progbits
                	.balign 4
                	.comm common_sym,64,8
                	.weak weak_sym
                	WORD weak_sym
                	.hidden hid
                hid:	.byte 1
                	.section .tbss,"awT",@nobits
                tv:	.zero 8
                """.replace("WORD", word);
    }

    /**
     * Assembly with {@code sections} sections (past SHN_LORESERVE), a global symbol in each and
     * relocations against globals and locals in high sections, so that e_shnum is 0,
     * e_shstrndx is SHN_XINDEX and symbols need SHT_SYMTAB_SHNDX.
     */
    static String xindexSource(int sections, String word) {
        StringBuilder s = new StringBuilder(sections * 60);
        for (int i = 0; i < sections; i++) {
            s.append(".section .s").append(i).append(i % 3 == 0 ? ",\"aw\",@progbits\n" : ",\"ax\",@progbits\n");
            s.append(".globl g").append(i).append("\ng").append(i).append(": .byte ").append(i & 0xff).append('\n');
            if (i % 101 == 0) {
                s.append("l").append(i).append(": .byte 1\n");
            }
        }
        s.append(".section .refs,\"a\",@progbits\n");
        for (int i = 0; i < sections; i += 101) {
            s.append(word).append(" g").append(i).append("+").append(i).append('\n');
            s.append(word).append(" l").append(i).append('\n');
        }
        return s.toString();
    }
}

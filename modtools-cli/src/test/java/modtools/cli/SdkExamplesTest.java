package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import modtools.deps.KmodLevel;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SDK (sdk/include/modfs/module.h, sdk/module.lds, sdk/build-module) and its examples:
 * built into a module tree for the modfs release, then read by kmod 30's depmod and modinfo
 * and by ours (identical output), inspected with GNU nm and readelf, and finally linked into
 * a native test program that reads the parameter and export tables by the layout the header
 * documents and runs the modules' init and exit.
 */
class SdkExamplesTest {
    static final String VERSION = "1.0.0-modfs";
    static final List<String> EXAMPLES = List.of("modfs_demo_lib", "modfs_demo_mid", "modfs_demo_top",
            "modfs_demo_params", "modfs_demo_fail");
    static final Set<String> HOST = Set.of("malloc", "calloc", "realloc", "free", "memcpy", "memmove", "memset",
            "memcmp", "strlen", "strcmp", "strncmp", "snprintf", "vsnprintf", "modfs_log");
    static final int PARAM_RECORD = 40;
    static final int KSYMTAB_RECORD = 24;

    private static Path base;
    private static Path moduleDir;
    private static Path sdk;

    @BeforeAll
    static void buildExamples() throws IOException {
        sdk = Corpus.repoRoot().resolve("sdk");
        base = Files.createTempDirectory("sdk-examples");
        Processes.Result build = Processes.run(List.of(sdk.resolve("examples/build-all").toString(), base.toString(), VERSION));
        assertEquals(0, build.status(), "build-all: " + build.stderrText());
        assertEquals("", build.stderrText(), "build-all must build the examples without a warning");
        moduleDir = base.resolve("lib/modules").resolve(VERSION);
        Processes.Result depmod = Processes.run(List.of("depmod", "-b", base.toString(), VERSION));
        assertEquals(0, depmod.status(), depmod.stderrText());
    }

    @AfterAll
    static void removeTree() {
        Processes.run(List.of("rm", "-rf", base.toString()));
    }

    private static Path ko(String name) {
        return moduleDir.resolve("extra").resolve(name + ".ko");
    }

    private static List<String> kos() {
        return EXAMPLES.stream().map(n -> ko(n).toString()).toList();
    }

    private static Processes.Result ok(List<String> command) {
        Processes.Result r = Processes.run(command);
        assertEquals(0, r.status(), String.join(" ", command) + ": " + r.stderrText());
        return r;
    }

    // ---------------------------------------------------------------- depmod

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void depmodIndexesAreKmods(KmodLevel level) throws IOException {
        assertEquals(List.of("extra/modfs_demo_lib.ko", "extra/modfs_demo_mid.ko", "extra/modfs_demo_top.ko",
                "extra/modfs_demo_params.ko", "extra/modfs_demo_fail.ko"), Files.readAllLines(moduleDir.resolve("modules.order")));
        List<String> args = List.of("-b", base.toString(), VERSION);
        DepmodDifferentialTest.Outcome kmod = DepmodDifferentialTest.run(level, moduleDir, args, true);
        DepmodDifferentialTest.Outcome ours = DepmodDifferentialTest.run(level, moduleDir, args, false);
        DepmodDifferentialTest.assertSameOutcome(kmod, ours, "depmod on the SDK examples");
        assertEquals("", kmod.result().stderrText(), "no warnings: the tree has its (empty) built-in lists");

        assertEquals(List.of(
                "extra/modfs_demo_lib.ko:",
                "extra/modfs_demo_mid.ko: extra/modfs_demo_lib.ko",
                "extra/modfs_demo_top.ko: extra/modfs_demo_mid.ko extra/modfs_demo_lib.ko",
                "extra/modfs_demo_params.ko:",
                "extra/modfs_demo_fail.ko:"), lines(kmod.files().get("modules.dep")));
        List<String> symbols = lines(kmod.files().get("modules.symbols"));
        for (String line : List.of("alias symbol:demo_lib_add modfs_demo_lib", "alias symbol:demo_lib_next modfs_demo_lib",
                "alias symbol:demo_lib_counter modfs_demo_lib", "alias symbol:demo_lib_greet modfs_demo_lib",
                "alias symbol:demo_mid_twice modfs_demo_mid")) {
            assertTrue(symbols.contains(line), "modules.symbols lacks '" + line + "': " + symbols);
        }
        assertEquals(6, symbols.size(), "five exports and the header line: " + symbols);
        List<String> aliases = lines(kmod.files().get("modules.alias"));
        assertTrue(aliases.contains("alias modfs:demo-params modfs_demo_params"), aliases.toString());
        assertTrue(aliases.contains("alias demo-params modfs_demo_params"), aliases.toString());
        assertTrue(aliases.contains("alias modfs:demo-top modfs_demo_top"), aliases.toString());
        assertTrue(lines(kmod.files().get("modules.softdep")).contains("softdep modfs_demo_params pre: modfs_demo_lib"));
    }

    private static List<String> lines(byte[] file) {
        return List.of(new String(file, StandardCharsets.ISO_8859_1).split("\n"));
    }

    // ---------------------------------------------------------------- modinfo

    @ParameterizedTest
    @EnumSource(KmodLevel.class)
    void modinfoIsKmodsForEachExample(KmodLevel level) {
        for (String name : EXAMPLES) {
            for (List<String> args : List.of(List.of(ko(name).toString()),
                    List.of("-b", base.toString(), "-k", VERSION, name),
                    List.of("-p", ko(name).toString()),
                    List.of("-F", "depends", ko(name).toString()),
                    List.of("-0", "-F", "parm", ko(name).toString()))) {
                Processes.Result kmod = Processes.run(Reference.command(level, "modinfo", args));
                ModinfoDifferentialTest.assertSameOutput(kmod, Tool.ours(level, "modinfo", args),
                        "modinfo " + String.join(" ", args));
                assertEquals(0, kmod.status(), kmod.stderrText());
            }
        }
        for (String lookup : List.of("demo-params", "modfs:demo-top", "symbol:demo_mid_twice")) {
            List<String> args = List.of("-b", base.toString(), "-k", VERSION, lookup);
            ModinfoDifferentialTest.assertSameOutput(Processes.run(Reference.command(level, "modinfo", args)),
                    Tool.ours(level, "modinfo", args), "modinfo " + lookup);
        }
    }

    @Test
    void modinfoShowsTheMetadataTheHeaderEmits() {
        String params = Processes.run(List.of("modinfo", ko("modfs_demo_params").toString())).stdoutText();
        String filename = "filename:       " + ko("modfs_demo_params") + "\n";
        assertEquals(filename + """
                license:        Dual MIT/GPL
                author:         modtools SDK examples
                description:    Demo: parameters of every type
                alias:          modfs:demo-params
                alias:          demo-params
                softdep:        pre: modfs_demo_lib
                version:        1.2
                depends:       \s
                name:           modfs_demo_params
                vermagic:       1.0.0-modfs mod_unload
                parm:           greeting:The word to log (charp)
                parm:           loud:Log the greetings (sets quiet to the opposite) (invbool)
                parm:           verbose:Log more (default: no) (bool)
                parm:           mask:A bit mask (hexint)
                parm:           big:A 64-bit value (ullong)
                parm:           tag:byte
                parm:           port:A port number (ushort)
                parm:           level:A short (short)
                parm:           limit:Upper limit in bytes (ulong)
                parm:           offset:A signed offset (long)
                parm:           ratio:A percentage (uint)
                parm:           count:How many greetings to log (int, default 3) (int)
                """, params);
        for (String[] m : new String[][] {{"modfs_demo_lib", ""}, {"modfs_demo_mid", "modfs_demo_lib"},
                {"modfs_demo_top", "modfs_demo_mid"}, {"modfs_demo_params", ""}, {"modfs_demo_fail", ""}}) {
            StringBuilder fields = new StringBuilder();
            for (String field : List.of("depends", "name", "vermagic")) {
                fields.append(Processes.run(List.of("modinfo", "-F", field, ko(m[0]).toString())).stdoutText());
            }
            assertEquals(m[1] + "\n" + m[0] + "\n" + VERSION + " mod_unload\n", fields.toString(), m[0]);
        }
    }

    // ---------------------------------------------------------------- symbols and sections

    @Test
    void entryPointsTablesAndImports() {
        Map<String, Set<String>> exports = new HashMap<>();
        exports.put("modfs_demo_lib", Set.of("demo_lib_add", "demo_lib_counter", "demo_lib_greet", "demo_lib_next"));
        exports.put("modfs_demo_mid", Set.of("demo_mid_twice"));
        Map<String, Set<String>> imports = Map.of(
                "modfs_demo_mid", Set.of("demo_lib_add", "demo_lib_counter", "demo_lib_greet", "demo_lib_next"),
                "modfs_demo_top", Set.of("demo_mid_twice"));
        for (String name : EXAMPLES) {
            String path = ko(name).toString();
            Map<String, String> defined = new TreeMap<>();
            Set<String> undefined = new TreeSet<>();
            for (String line : ok(List.of("nm", "-P", path)).stdoutText().split("\n")) {
                String[] f = line.split(" ");
                if (f[1].equals("U")) {
                    undefined.add(f[0]);
                } else {
                    defined.put(f[0], f[1]);
                }
            }
            assertEquals("T", defined.get("init_module"), name + ": init_module");
            assertEquals("T", defined.get("cleanup_module"), name + ": cleanup_module");
            Set<String> ksymtab = new TreeSet<>();
            Set<String> kstrtab = new TreeSet<>();
            for (String s : defined.keySet()) {
                if (s.startsWith("__ksymtab_") && !s.equals("__ksymtab_strings")) {
                    ksymtab.add(s.substring("__ksymtab_".length()));
                } else if (s.startsWith("__kstrtab_")) {
                    kstrtab.add(s.substring("__kstrtab_".length()));
                }
            }
            Set<String> expected = exports.getOrDefault(name, Set.of());
            assertEquals(expected, ksymtab, name + ": __ksymtab_ symbols");
            assertEquals(expected, kstrtab, name + ": __kstrtab_ symbols");
            for (String e : expected) {
                assertTrue(Set.of("T", "B", "D").contains(defined.get(e)), name + ": " + e + " must be global");
            }
            Set<String> needed = new TreeSet<>(undefined);
            needed.removeAll(HOST);
            assertEquals(imports.getOrDefault(name, Set.of()), needed, name + ": imports beyond the host's set");

            Map<String, long[]> sections = sections(path);
            assertTrue(sections.containsKey(".init.text"), name + ": init code in .init.text");
            assertTrue(!sections.containsKey(".exit.text"), name + ": exit code is merged into .text");
            if (name.equals("modfs_demo_fail")) {
                assertTrue(sections.containsKey(".init.data"), name + ": __initconst lands in .init.data");
            }
            long[] strings = sections.get("__ksymtab_strings");
            if (expected.isEmpty()) {
                assertTrue(strings == null && !sections.containsKey("__ksymtab") && !sections.containsKey("__ksymtab_gpl"), name);
            } else {
                long records = size(sections, "__ksymtab") + size(sections, "__ksymtab_gpl");
                assertEquals(expected.size() * (long) KSYMTAB_RECORD, records, name + ": one 24-byte record per export");
            }
        }
        Map<String, long[]> lib = sections(ko("modfs_demo_lib").toString());
        assertEquals(KSYMTAB_RECORD, size(lib, "__ksymtab_gpl"), "demo_lib_next is the GPL-only one");
    }

    private static long size(Map<String, long[]> sections, String name) {
        long[] s = sections.get(name);
        return s == null ? 0 : s[0];
    }

    /** readelf -SW: name → {size, alignment}. */
    private static Map<String, long[]> sections(String path) {
        Map<String, long[]> out = new LinkedHashMap<>();
        Pattern row = Pattern.compile("\\[\\s*\\d+\\]\\s+(\\S+)\\s+\\S+\\s+[0-9a-f]+\\s+[0-9a-f]+\\s+([0-9a-f]+)\\s+[0-9a-f]+\\s+\\S*\\s*\\d+\\s+\\d+\\s+(\\d+)");
        for (String line : ok(List.of("readelf", "-SW", path)).stdoutText().split("\n")) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                out.put(m.group(1), new long[] {Long.parseLong(m.group(2), 16), Long.parseLong(m.group(3))});
            }
        }
        return out;
    }

    @Test
    void parameterTableInTheObject() {
        String path = ko("modfs_demo_params").toString();
        long[] param = sections(path).get("__param");
        assertEquals(12L * PARAM_RECORD, param[0], "twelve 40-byte records");
        assertEquals(8, param[1], "8-aligned");
        // Each record: R_X86_64_64 at +0 (name) and +8 (variable); charp also at +16 (buffer).
        Map<Long, String> relocations = new TreeMap<>();
        boolean inParam = false;
        for (String line : ok(List.of("readelf", "-rW", path)).stdoutText().split("\n")) {
            if (line.startsWith("Relocation section")) {
                inParam = line.contains("'.rela__param'");
            } else if (inParam && line.matches("^[0-9a-f]{16} .*")) {
                String[] f = line.trim().split("\\s+");
                assertEquals("R_X86_64_64", f[2], line);
                relocations.put(Long.parseLong(f[0], 16), f[4] + f[5] + f[6]);
            }
        }
        int withBuffer = 0;
        for (long record = 0; record < 12; record++) {
            long at = record * PARAM_RECORD;
            assertTrue(relocations.containsKey(at) && relocations.containsKey(at + 8), "record " + record + ": " + relocations);
            if (relocations.containsKey(at + 16)) {
                withBuffer++;
            }
            for (long off = 24; off < PARAM_RECORD; off++) {
                assertTrue(!relocations.containsKey(at + off), "no relocation in the scalar fields");
            }
        }
        assertEquals(1, withBuffer, "only the charp record has a buffer");
        assertEquals(12 * 2 + 1, relocations.size());
    }

    // ---------------------------------------------------------------- run natively

    /**
     * A loader in miniature, written against the header's comment, not its structs: it finds the
     * parameter table through __start___param/__stop___param, sets parameters by type at the
     * recorded address, lists the export records, and calls init_module and cleanup_module.
     */
    static final String HARNESS = """
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            extern unsigned char __start___param[] __attribute__((weak)), __stop___param[] __attribute__((weak));
            extern unsigned char __start___ksymtab[] __attribute__((weak)), __stop___ksymtab[] __attribute__((weak));
            extern unsigned char __start___ksymtab_gpl[] __attribute__((weak)), __stop___ksymtab_gpl[] __attribute__((weak));
            void modfs_log(const char *line) { printf("log: %s\\n", line); }
            static uint64_t u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
            static uint32_t u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
            static uint16_t u16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
            static int set(const char *name, const char *value) {
                for (unsigned char *r = __start___param; r < __stop___param; r += 40) {
                    if (strcmp((const char *)u64(r), name) != 0) continue;
                    unsigned char *arg = (unsigned char *)u64(r + 8);
                    char *buf = (char *)u64(r + 16);
                    uint32_t type = u32(r + 24), size = u16(r + 30), bufsize = u32(r + 32);
                    if (type >= 1 && type <= 9) {
                        uint64_t v = (type == 2 || type == 4 || type == 6) ? (uint64_t)strtoll(value, NULL, 0)
                                                                          : strtoull(value, NULL, 0);
                        memcpy(arg, &v, size);
                    } else if (type == 10) {
                        if (strlen(value) >= bufsize) return 28;
                        strcpy(buf, value);
                        memcpy(arg, &buf, 8);
                    } else if (type == 11 || type == 12) {
                        unsigned char b = strchr("yY1", value[0]) != NULL || strcmp(value, "on") == 0;
                        if (type == 12) b = !b;
                        memcpy(arg, &b, 1);
                    } else return 22;
                    return 0;
                }
                return 2;
            }
            static void exports(const char *kind, unsigned char *from, unsigned char *to) {
                for (unsigned char *r = from; r < to; r += 24)
                    printf("%s %s %llx %llx\\n", kind, (const char *)u64(r + 8), (unsigned long long)u64(r),
                           (unsigned long long)u64(r + 16));
            }
            #ifdef CHAIN
            int lib_init(void), mid_init(void), top_init(void);
            void lib_exit(void), mid_exit(void), top_exit(void);
            int main(void) {
                exports("ksymtab", __start___ksymtab, __stop___ksymtab);
                exports("ksymtab_gpl", __start___ksymtab_gpl, __stop___ksymtab_gpl);
                int a = lib_init(), b = mid_init(), c = top_init();
                printf("init %d %d %d\\n", a, b, c);
                top_exit(); mid_exit(); lib_exit();
                return 0;
            }
            #else
            int init_module(void);
            void cleanup_module(void);
            int main(int argc, char **argv) {
                for (unsigned char *r = __start___param; r < __stop___param; r += 40)
                    printf("param %s type=%u perm=%o size=%u buf=%d buf_size=%u reserved=%u\\n", (const char *)u64(r),
                           u32(r + 24), u16(r + 28), u16(r + 30), u64(r + 16) != 0, u32(r + 32), u32(r + 36));
                for (int i = 1; i < argc; i++) {
                    char *eq = strchr(argv[i], '=');
                    *eq = 0;
                    int err = set(argv[i], eq + 1);
                    if (err) { printf("set %s: %d\\n", argv[i], err); return 1; }
                }
                int r = init_module();
                printf("init %d\\n", r);
                if (r == 0) cleanup_module();
                return 0;
            }
            #endif
            """;

    private static Path harness(String name, List<String> define, List<String> objects) throws IOException {
        Path dir = Files.createDirectories(base.resolve("run"));
        Path c = dir.resolve("harness.c");
        Files.writeString(c, HARNESS);
        Path exe = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("gcc", "-O1", "-no-pie", "-o", exe.toString()));
        command.addAll(define);
        command.add(c.toString());
        command.addAll(objects);
        ok(command);
        return exe;
    }

    @Test
    void parametersSetByTheDocumentedLayout() throws IOException {
        Path exe = harness("params", List.of(), List.of(ko("modfs_demo_params").toString()));
        String defaults = ok(List.of(exe.toString())).stdoutText();
        assertEquals("""
                param count type=4 perm=644 size=4 buf=0 buf_size=0 reserved=0
                param ratio type=5 perm=444 size=4 buf=0 buf_size=0 reserved=0
                param offset type=6 perm=444 size=8 buf=0 buf_size=0 reserved=0
                param limit type=7 perm=644 size=8 buf=0 buf_size=0 reserved=0
                param level type=2 perm=444 size=2 buf=0 buf_size=0 reserved=0
                param port type=3 perm=444 size=2 buf=0 buf_size=0 reserved=0
                param tag type=1 perm=444 size=1 buf=0 buf_size=0 reserved=0
                param big type=8 perm=444 size=8 buf=0 buf_size=0 reserved=0
                param mask type=9 perm=444 size=4 buf=0 buf_size=0 reserved=0
                param verbose type=11 perm=644 size=1 buf=0 buf_size=0 reserved=0
                param loud type=12 perm=444 size=1 buf=0 buf_size=0 reserved=0
                param greeting type=10 perm=444 size=8 buf=1 buf_size=1024 reserved=0
                log: modfs_demo_params: count=3 ratio=100 offset=-1 limit=4096 level=-2 port=8080 tag=7 big=1099511627776 mask=0xff verbose=0 quiet=1 greeting=hello
                init 0
                log: modfs_demo_params: unloaded (greeting was hello)
                """, defaults);
        String set = ok(List.of(exe.toString(), "count=2", "ratio=42", "offset=-5", "limit=0x100000", "level=-300",
                "port=65535", "tag=255", "big=18446744073709551615", "mask=0x10", "verbose=y", "loud=y",
                "greeting=bonjour")).stdoutText();
        assertEquals("""
                log: modfs_demo_params: count=2 ratio=42 offset=-5 limit=1048576 level=-300 port=65535 tag=255 big=18446744073709551615 mask=0x10 verbose=1 quiet=0 greeting=bonjour
                log: modfs_demo_params: bonjour #1
                log: modfs_demo_params: bonjour #2
                init 0
                log: modfs_demo_params: unloaded (greeting was bonjour)
                """, set.substring(set.indexOf("log: ")));
        Processes.Result tooLong = Processes.run(List.of(exe.toString(), "greeting=" + "x".repeat(1024)));
        assertTrue(tooLong.stdoutText().endsWith("set greeting: 28\n"), "1023 bytes and the NUL fit, 1024 do not");
        String longest = ok(List.of(exe.toString(), "greeting=" + "x".repeat(1023))).stdoutText();
        assertTrue(longest.contains("\ninit 0\n"), longest);
        assertTrue(longest.contains("\nlog: modfs_demo_params: unloaded (greeting was xxxxxxxxxx"), longest);
    }

    @Test
    void failingInitReturnsTheErrno() throws IOException {
        Path exe = harness("fail", List.of(), List.of(ko("modfs_demo_fail").toString()));
        assertEquals("log: modfs_demo_fail: refusing to start: no such device here\ninit -19\n",
                ok(List.of(exe.toString())).stdoutText());
    }

    /** The chain linked together (init_module/cleanup_module renamed per module), its export records checked against nm. */
    @Test
    void chainRunsAndExportRecordsPointAtTheExports() throws IOException {
        List<String> objects = new ArrayList<>();
        for (String[] m : new String[][] {{"modfs_demo_lib", "lib"}, {"modfs_demo_mid", "mid"}, {"modfs_demo_top", "top"}}) {
            Path renamed = base.resolve("run").resolve(m[1] + ".o");
            Files.createDirectories(renamed.getParent());
            ok(List.of("objcopy", "--redefine-sym", "init_module=" + m[1] + "_init",
                    "--redefine-sym", "cleanup_module=" + m[1] + "_exit", ko(m[0]).toString(), renamed.toString()));
            objects.add(renamed.toString());
        }
        Path exe = harness("chain", List.of("-DCHAIN"), objects);
        String out = ok(List.of(exe.toString())).stdoutText();
        Map<String, Long> addresses = new HashMap<>();
        for (String line : ok(List.of("nm", "-P", exe.toString())).stdoutText().split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 3 && !f[1].equals("U") && !f[1].equals("w")) {
                addresses.put(f[0], Long.parseUnsignedLong(f[2], 16));
            }
        }
        List<String> logs = new ArrayList<>();
        Map<String, String> kinds = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("ksymtab")) {
                String[] f = line.split(" ");
                kinds.put(f[1], f[0]);
                assertEquals(addresses.get(f[1]), Long.parseUnsignedLong(f[2], 16), "value of " + f[1]);
                assertEquals("0", f[3], "namespace of " + f[1]);
            } else {
                logs.add(line);
            }
        }
        assertEquals(Map.of("demo_lib_add", "ksymtab", "demo_lib_counter", "ksymtab", "demo_lib_greet", "ksymtab",
                "demo_lib_next", "ksymtab_gpl", "demo_mid_twice", "ksymtab_gpl"), kinds);
        assertEquals(List.of(
                "log: modfs_demo_lib: loaded, counter at 0",
                "log: modfs_demo_mid: loaded: 2 + 3 = 5, hello, modfs_demo_mid (#1), counter 1",
                "log: modfs_demo_top: loaded: twice(21) = 42",
                "init 0 0 0",
                "log: modfs_demo_top: unloaded",
                "log: modfs_demo_mid: unloaded, counter 2",
                "log: modfs_demo_lib: unloaded after 2 calls"), logs);
    }

    /** printk splits lines, drops the level and empty lines, and cuts what does not fit. */
    @Test
    void printkLines() throws IOException {
        Path src = Files.createDirectories(base.resolve("printk")).resolve("printk_demo.c");
        Files.writeString(src, """
                #define MODFS_LOG_LINE_MAX 32
                #include <modfs/module.h>
                static int __init go(void)
                {
                	printk(KERN_WARNING "first\\nsecond\\n\\nthird\\n");
                	pr_info("%d%s\\n", 42, "!");
                	pr_debug("hidden %d\\n", 1);
                	pr_err("%s\\n", "0123456789012345678901234567890123456789");
                	printk("\\n");
                	return 0;
                }
                static void __exit stop(void)
                {
                	pr_notice("stop\\n");
                }
                module_init(go);
                module_exit(stop);
                MODULE_LICENSE("GPL");
                """);
        Path out = base.resolve("printk/printk_demo.ko");
        ok(List.of(sdk.resolve("build-module").toString(), "-o", out.toString(), src.toString()));
        Path exe = harness("printk", List.of(), List.of(out.toString()));
        assertEquals("""
                log: first
                log: second
                log: third
                log: printk_demo: 42!
                log: printk_demo: 0123456789012345
                init 0
                log: printk_demo: stop
                """, ok(List.of(exe.toString())).stdoutText());
    }

    // ---------------------------------------------------------------- build-module

    @Test
    void buildModuleErrorsAreOneLine() throws IOException {
        String build = sdk.resolve("build-module").toString();
        Path dir = Files.createDirectories(base.resolve("errors"));
        Path good = Files.writeString(dir.resolve("good.c"), "#include <modfs/module.h>\nstatic int __init i(void) { return 0; }\nmodule_init(i);\n");
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of(build), "build-module: no C files given (see --help)\n");
        cases.put(List.of(build, dir.resolve("missing.c").toString()), "build-module: " + dir.resolve("missing.c") + ": no such file\n");
        cases.put(List.of(build, "-x", good.toString()), "build-module: unknown option '-x' (see --help)\n");
        cases.put(List.of(build, "--install", dir.toString(), good.toString()),
                "build-module: --install needs --version VER (the module tree is ROOT/lib/modules/VER)\n");
        cases.put(List.of(build, "-o", dir.resolve("x.o").toString(), good.toString()),
                "build-module: " + dir.resolve("x.o") + ": the output must end in .ko\n");
        cases.put(List.of(build, "--install", dir.toString(), "--version", "modfs", good.toString()),
                "build-module: --version modfs: not a release depmod accepts (like 1.0.0-modfs)\n");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            Processes.Result r = Processes.run(c.getKey());
            assertEquals(1, r.status(), c.getKey().toString());
            assertEquals(c.getValue(), r.stderrText(), c.getKey().toString());
        }
        Processes.Result r = Processes.run(List.of(build, "-o", dir.resolve("good.ko").toString(), good.toString()));
        assertEquals(0, r.status(), r.stderrText());
        assertEquals("build-module: warning: good has no module_exit\n", r.stderrText());
    }

    /** What Linux rejects at build time, the SDK rejects too: the build fails naming the file. */
    @Test
    void compileTimeChecks() throws IOException {
        String build = sdk.resolve("build-module").toString();
        Path dir = Files.createDirectories(base.resolve("checks"));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("init_returns_void", "static void f(void) {}\nmodule_init(f);\n");
        bad.put("exit_returns_int", "static int f(void) { return 0; }\nmodule_exit(f);\n");
        bad.put("param_type_mismatch", "static long v;\nmodule_param(v, int, 0644);\n");
        bad.put("param_world_writable", "static int v;\nmodule_param(v, int, 0666);\n");
        bad.put("param_unknown_type", "static int v;\nmodule_param(v, float, 0644);\n");
        bad.put("export_static", "static int f(void) { return 0; }\nEXPORT_SYMBOL(f);\n");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            Path c = Files.writeString(dir.resolve(b.getKey() + ".c"), "#include <modfs/module.h>\n" + b.getValue());
            Processes.Result r = Processes.run(List.of(build, "-o", dir.resolve(b.getKey() + ".ko").toString(), c.toString()));
            assertNotEquals(0, r.status(), b.getKey() + " must not compile");
            String last = b.getKey().equals("export_static")
                    ? "build-module: export_static: EXPORT_SYMBOL(f): f is not a global symbol defined here\n"
                    : "build-module: " + c + ": compilation failed\n";
            assertTrue(r.stderrText().endsWith(last), r.stderrText());
        }
    }
}

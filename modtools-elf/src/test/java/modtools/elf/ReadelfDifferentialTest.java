package modtools.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reader against GNU readelf: every module of a real Debian kernel, objects gcc builds
 * here for x86-64 and i386 with several option sets, big-endian PowerPC objects of both
 * classes, and objects with more sections than SHN_LORESERVE. readelf runs over many files
 * at once and its output is compared file by file as it streams in.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReadelfDifferentialTest {
    private static final int BATCH = 100;
    private static final int MAX_REPORTED = 40;

    @Test
    void everyCorpusModuleAgreesWithReadelf() throws Exception {
        TestObjects.requireTool(TestObjects.READELF, "binutils");
        List<Path> modules = TestObjects.corpusModules();
        assertTrue(modules.size() >= 1000, "expected the ~1100 modules of the cloud kernel, found " + modules.size()
                + " under " + TestObjects.corpusRoot());
        ReadelfComparison.Counts counts = compareAll(TestObjects.READELF, modules);
        assertEquals(modules.size(), counts.files, "files compared");
        assertTrue(counts.relocations > 100_000 && counts.symbols > 100_000, "too little was compared: " + counts);
    }

    @Test
    void gccObjectsAgreeWithReadelf() throws Exception {
        List<String> names = List.of("x86_64-O0-nopic-g", "x86_64-O2-pic-sections-g3", "x86_64-O2-nopic-sections-common",
                "i386-O2-nopic-sections-g", "i386-O0-pic-common", "x86_64-small", "i386-small");
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            files.add(TestObjects.obj(name).path());
        }
        ReadelfComparison.Counts counts = compareAll(TestObjects.READELF, files);
        assertEquals(files.size(), counts.files);

        // the objects are what they claim to be
        ElfFile sections = parse(TestObjects.obj("x86_64-O2-pic-sections-g3").path());
        assertTrue(sections.sections().size() > 3000, "-ffunction-sections gave " + sections.sections().size() + " sections");
        assertTrue(sections.sections().stream().anyMatch(s -> s.type() == Elf.SHT_GROUP), "no SHT_GROUP in the -g3 object");
        ElfFile i386 = parse(TestObjects.obj("i386-O2-nopic-sections-g").path());
        assertTrue(!i386.is64() && i386.header().machine() == Elf.EM_386, "not an ELF32 i386 object");
        assertTrue(i386.relocationSections().stream().allMatch(r -> r.section().type() == Elf.SHT_REL)
                && !i386.relocationSections().isEmpty(), "i386 objects use SHT_REL");
        ElfFile common = parse(TestObjects.obj("x86_64-O2-nopic-sections-common").path());
        assertTrue(common.symbols(common.symbolTable().orElseThrow()).all().stream()
                .anyMatch(s -> s.sectionIndex() == Elf.SHN_COMMON), "no SHN_COMMON symbol with -fcommon");
    }

    @Test
    void bigEndianPowerPcObjectsAgreeWithReadelf() throws Exception {
        List<Path> files = List.of(TestObjects.obj("ppc64be").path(), TestObjects.obj("ppc32be").path());
        ReadelfComparison.Counts counts = compareAll(TestObjects.PPC_READELF, files);
        assertEquals(2, counts.files);
        assertTrue(counts.relocations >= 10 && counts.notes >= 2, "too little was compared: " + counts);
        ElfFile ppc64 = parse(files.get(0));
        ElfFile ppc32 = parse(files.get(1));
        assertEquals(ByteOrder.BIG_ENDIAN, ppc64.header().order());
        assertEquals(ByteOrder.BIG_ENDIAN, ppc32.header().order());
        assertTrue(ppc64.is64() && !ppc32.is64());
        assertEquals(Elf.EM_PPC64, ppc64.header().machine());
    }

    @Test
    void objectsPastShnLoreserveAgreeWithReadelf() throws Exception {
        List<String> names = List.of("xindex64", "xindex32", "x86_64-small-shnum0", "i386-small-shnum0");
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            files.add(TestObjects.obj(name).path());
        }
        ReadelfComparison.Counts counts = compareAll(TestObjects.READELF, files);
        assertEquals(files.size(), counts.files);
        List<Path> ppc = List.of(TestObjects.obj("ppc32be-shnum0").path());
        compareAll(TestObjects.PPC_READELF, ppc);

        for (String name : List.of("xindex64", "xindex32")) {
            ElfFile elf = parse(TestObjects.obj(name).path());
            assertEquals(0, elf.header().sectionCount(), name + " e_shnum");
            assertEquals(Elf.SHN_XINDEX, elf.header().sectionNameTableIndex(), name + " e_shstrndx");
            assertTrue(elf.sections().size() > TestObjects.XINDEX_SECTIONS, name + " section count");
            assertTrue(elf.sections().stream().anyMatch(s -> s.type() == Elf.SHT_SYMTAB_SHNDX), name + " has no SHT_SYMTAB_SHNDX");
            assertEquals(".shstrtab", elf.sections().get(elf.sections().get(0).link()).name());
        }
        assertTrue(counts.extendedSymbolIndexes > 500,
                "symbols in sections past SHN_LORESERVE compared: " + counts.extendedSymbolIndexes);
    }

    // ---------------------------------------------------------------- machinery

    private static ElfFile parse(Path file) throws ElfFormatException {
        return ElfFile.parse(file.toString(), TestObjects.map(file));
    }

    /**
     * Runs {@code readelf} over the files in batches, two batches at a time, comparing each
     * file as its part of the output arrives. Fails with the first differences found.
     */
    static ReadelfComparison.Counts compareAll(String readelf, List<Path> files) throws Exception {
        TestObjects.requireTool(readelf, readelf.startsWith("powerpc64") ? "binutils-powerpc64-linux-gnu" : "binutils");
        ReadelfComparison.Counts counts = new ReadelfComparison.Counts();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> jobs = new ArrayList<>();
        for (int i = 0; i < files.size(); i += BATCH) {
            List<Path> batch = files.subList(i, Math.min(files.size(), i + BATCH));
            jobs.add(pool.submit(() -> {
                compareBatch(readelf, batch, counts, problems);
                return null;
            }));
        }
        pool.shutdown();
        for (Future<?> job : jobs) {
            job.get(10, TimeUnit.MINUTES);
        }
        if (!problems.isEmpty()) {
            List<String> shown = problems.subList(0, Math.min(MAX_REPORTED, problems.size()));
            fail(problems.size() + " differences between the reader and " + readelf + " (" + counts + "):\n  "
                    + String.join("\n  ", shown));
        }
        return counts;
    }

    private static void compareBatch(String readelf, List<Path> batch, ReadelfComparison.Counts counts,
                                     List<String> problems) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(readelf, "-W", "-S", "-r", "-s", "-n"));
        Set<String> expected = new HashSet<>();
        for (Path p : batch) {
            command.add(p.toString());
            expected.add(p.toString());
        }
        Path err = Files.createTempFile(TestObjects.workDir(), "readelf", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
        pb.environment().put("LC_ALL", "C");
        Process process = pb.start();
        process.getOutputStream().close();
        Set<String> seen = new HashSet<>();
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.ISO_8859_1), 1 << 16)) {
            ReadelfOutput.parse(in, batch.size() == 1 ? batch.get(0).toString() : null, dump -> {
                if (!expected.contains(dump.path)) {
                    problems.add(readelf + " printed an unexpected file header '" + dump.path + "'");
                    return;
                }
                if (!seen.add(dump.path)) {
                    problems.add(dump.path + ": printed twice by " + readelf);
                    return;
                }
                Path file = Path.of(dump.path);
                ElfFile elf;
                try {
                    elf = ElfFile.parse(dump.path, TestObjects.map(file));
                } catch (ElfFormatException e) {
                    problems.add(dump.path + ": the reader rejects a file readelf reads: " + e.getMessage());
                    return;
                }
                problems.addAll(ReadelfComparison.compare(elf, dump, counts));
            });
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            problems.add(readelf + " did not finish");
        }
        String stderr = Files.readString(err, StandardCharsets.ISO_8859_1).strip();
        Files.delete(err);
        if (process.exitValue() != 0) {
            problems.add(readelf + " exited with " + process.exitValue() + ": " + stderr);
        } else if (!stderr.isEmpty()) {
            problems.add(readelf + " warned: " + stderr.lines().limit(5).reduce((a, b) -> a + " | " + b).orElse(""));
        }
        for (Path p : batch) {
            if (!seen.contains(p.toString())) {
                problems.add(p + ": " + readelf + " printed nothing for this file");
            }
        }
    }
}

package modtools.cli.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import modtools.cli.Invocation;
import modtools.contract.ImageHeader;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code modtools link} end to end: an image and its map, and one line for each kind of bad input. */
class LinkCommandTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private Run link(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Invocation inv = new Invocation("modtools", "link", List.of(args),
                new PrintStream(out, true, StandardCharsets.ISO_8859_1), new PrintStream(err, true, StandardCharsets.ISO_8859_1),
                dir, "test", Map.of());
        int status = new LinkCommand().run(inv);
        return new Run(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    private Path assemble(String name, String source) throws Exception {
        Path s = dir.resolve(name + ".s");
        Files.writeString(s, source);
        Path o = dir.resolve(name + ".o");
        Processes.Result r = Processes.run(List.of("gcc", "-c", "-x", "assembler", s.toString(), "-o", o.toString()));
        assertEquals(0, r.status(), r.stderrText());
        return o;
    }

    private Path symbols(String text) throws Exception {
        Path f = dir.resolve("symbols");
        Files.writeString(f, text);
        return f;
    }

    /** One line on stderr that starts with the command and holds each of {@code parts}; no stack trace. */
    private static void assertOneLineError(Run r, String... parts) {
        assertTrue(r.status() != 0, "non-zero exit: " + r);
        assertTrue(r.err().endsWith("\n") && r.err().indexOf('\n') == r.err().length() - 1, "one line: " + r.err());
        assertTrue(r.err().startsWith("modtools link: "), r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "'" + p + "' in: " + r.err());
        }
        assertFalse(r.err().contains("Exception"), r.err());
    }

    private static final String CALLS = """
                .text
                .globl init_module
            init_module:
                call printk
                leaq table(%rip), %rax
                ret
                .globl cleanup_module
            cleanup_module:
                ret
                .data
            table:
                .quad init_module
            """;

    @Test
    void writesTheImageAndTheMap() throws Exception {
        Path o = assemble("good", CALLS);
        Path syms = symbols("ffffffff81000000 T printk\nffffffff81000010 t local_only\n");
        Run r = link(o.toString(), "--base", "0xffffffffc0000000", "--symbols", syms.toString(), "--map", "good.map",
                "-o", "good.img");
        assertEquals(new Run(0, "", ""), r);
        ByteBuffer image = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("good.img")));
        assertTrue(ImageHeader.hasMagic(image));
        ImageHeader h = ImageHeader.read(image);
        assertEquals(image.capacity(), h.imageSize());
        assertEquals(0xffffffffc0000040L, h.init(), "init_module right after the header");
        List<String> map = Files.readAllLines(dir.resolve("good.map"));
        assertEquals("modtools-link-map 1", map.get(0));
        assertTrue(map.contains("image 0xffffffffc0000000 0x2000 0x2000"), map.toString());
        assertTrue(map.contains("region text 0xffffffffc0000000 0xffffffffc0001000"), map.toString());
        assertTrue(map.contains("init 0xffffffffc0000040"), map.toString());
        assertTrue(map.contains("section 0xffffffffc0000040 0xe 1 text .text"), map.toString());
        assertTrue(map.contains("section 0xffffffffc0001000 0x8 1 data .data"), map.toString());
        assertTrue(map.contains("symbol 0xffffffffc0000040 global init_module"), map.toString());
        assertTrue(map.contains("symbol 0xffffffffc0001000 local table"), map.toString());
        // A FIFO cannot be mapped: the image is written to it from the heap, the same bytes.
        Path fifo = dir.resolve("image.fifo");
        assertEquals(0, Processes.run(List.of("mkfifo", fifo.toString())).status());
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals(new Run(0, "", ""), link(o.toString(), "--base", "0xffffffffc0000000", "--symbols", syms.toString(),
                "-o", fifo.toString()));
        assertArrayEquals(image.array(), read.get(30, TimeUnit.SECONDS));
    }

    @Test
    void severalObjectsAreOneImageWithEntryPointsOfItsOwn() throws Exception {
        Path a = assemble("a", """
                    .text
                    .globl a_f
                a_f:
                    call b_f
                    ret
                    .globl init_module
                init_module:
                    xorl %eax, %eax
                    ret
                """);
        Path b = assemble("b", """
                    .text
                    .globl b_f
                b_f:
                    call a_f
                    ret
                    .globl init_module
                init_module:
                    xorl %eax, %eax
                    ret
                    .globl cleanup_module
                cleanup_module:
                    ret
                """);
        assertEquals(new Run(0, "", ""), link(a.toString(), b.toString(), "--base", "0x40000000", "--map", "ab.map",
                "-o", "ab.img"));
        List<String> map = Files.readAllLines(dir.resolve("ab.map"));
        List<String> globals = map.stream().filter(l -> l.startsWith("symbol ") && l.contains(" global ")).toList();
        assertEquals(List.of("a_f", "b_f", "cleanup_module", "init_module"),
                globals.stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).sorted().toList());
        assertEquals(2, map.stream().filter(l -> l.matches("symbol \\S+ local init_module")).count(), map.toString());
        ImageHeader h = ImageHeader.read(ByteBuffer.wrap(Files.readAllBytes(dir.resolve("ab.img"))));
        assertTrue(map.contains(String.format("symbol 0x%016x global init_module", h.init())), map.toString());
        assertTrue(map.contains(String.format("symbol 0x%016x global cleanup_module", h.exit())), map.toString());

        Path again = assemble("a_again", ".text\n.globl a_f\na_f:\nret\n");
        assertOneLineError(link(a.toString(), again.toString(), "--base", "0x40000000", "-o", "x.img"),
                "symbol a_f is defined in both a.o and a_again.o");
    }

    @Test
    void unsupportedRelocationType() throws Exception {
        Path o = assemble("tls", ".data\n.reloc ., R_X86_64_TPOFF32, counter\n.long 0\n");
        Run r = link(o.toString(), "--base", "0x40000000", "--symbols", symbols("50000000 D counter\n").toString(), "-o", "x.img");
        assertOneLineError(r, o + ": .data+0x0: R_X86_64_TPOFF32 against 'counter': unsupported relocation type");
        assertFalse(Files.exists(dir.resolve("x.img")), "no image after a failed link");
    }

    @Test
    void overflowNamesTheFieldAndValue() throws Exception {
        Path o = assemble("far", ".text\nmovl far_data(%rip), %eax\n");
        Run r = link(o.toString(), "--base", "0x40000000", "--symbols", symbols("7f0000000000 D far_data\n").toString(), "-o", "x.img");
        assertOneLineError(r, o + ": .text+0x2: R_X86_64_PC32 against 'far_data': value 0x7effbfffffba does not fit in 32 bits (sign-extended)");
        // The image is built in its file; an overflow found while applying removes the file again.
        Files.writeString(dir.resolve("x.img"), "an earlier image");
        link(o.toString(), "--base", "0x40000000", "--symbols", dir.resolve("symbols").toString(), "-o", "x.img");
        assertFalse(Files.exists(dir.resolve("x.img")), "no half-written image after a failed link");
    }

    @Test
    void narrowAbsoluteOverflow() throws Exception {
        Path o = assemble("byte", ".data\n.reloc ., R_X86_64_8, big\n.byte 0\n.set big, 0x100\n");
        Run r = link(o.toString(), "--base", "0x40000000", "-o", "x.img");
        assertOneLineError(r, ".data+0x0: R_X86_64_8 against 'big': value 0x100 does not fit in 8 bits");
    }

    @Test
    void farDataCannotGoThroughAVeneer() throws Exception {
        Path o = assemble("farabs", ".text\nmovl $far_data, %eax\n");
        Run r = link(o.toString(), "--base", "0x40000000", "--symbols", symbols("7f0000000000 B far_data\n").toString(), "-o", "x.img");
        assertOneLineError(r, "R_X86_64_32 against 'far_data': value 0x7f0000000000 does not fit in 32 bits (zero-extended)");
    }

    @Test
    void missingSymbol() throws Exception {
        Path o = assemble("missing", CALLS);
        Run r = link(o.toString(), "--base", "0x40000000", "--symbols", symbols("50000000 t printk\n").toString(), "-o", "x.img");
        assertOneLineError(r, o + ": .text+0x1: R_X86_64_PLT32 against 'printk': unknown symbol");
    }

    @Test
    void corruptObjects() throws Exception {
        Path o = assemble("whole", CALLS);
        byte[] bytes = Files.readAllBytes(o);
        Path truncated = dir.resolve("truncated.o");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        Run r = link(truncated.toString(), "--base", "0x40000000", "-o", "x.img");
        assertOneLineError(r, truncated.toString(), "do not fit");
        Path text = dir.resolve("text.o");
        Files.writeString(text, "this is not an object file\n");
        assertOneLineError(link(text.toString(), "--base", "0x40000000", "-o", "x.img"), text + ": ", "not an ELF object");
        Path shared = dir.resolve("shared.o");
        byte[] dyn = bytes.clone();
        dyn[16] = 3; // e_type ET_DYN
        Files.write(shared, dyn);
        assertOneLineError(link(shared.toString(), "--base", "0x40000000", "-o", "x.img"),
                shared + ": not a relocatable object (ELF type 3)");
    }

    @Test
    void badArguments() throws Exception {
        Path o = assemble("args", CALLS);
        assertOneLineError(link(o.toString(), "--base", "0x40000010", "-o", "x.img"),
                "base address 0x40000010 is not page aligned");
        Run r = link(o.toString(), "--base", "zebra", "-o", "x.img");
        assertOneLineError(r, "--base zebra: not an address");
        assertEquals(2, r.status());
        assertOneLineError(link(o.toString(), "-o", "x.img"), "--base ADDR is required");
        assertOneLineError(link(o.toString(), "--base", "0x40000000"), "-o IMAGE is required");
        assertOneLineError(link("--base", "0x40000000", "-o", "x.img"), "an object to link is required");
        r = link(o.toString(), "--bsae", "0x40000000", "-o", "x.img");
        assertOneLineError(r, "unrecognized option '--bsae'");
        assertEquals(2, r.status());
        assertOneLineError(link(dir.resolve("absent.o").toString(), "--base", "0x40000000", "-o", "x.img"),
                "absent.o: No such file or directory");
        Path bad = symbols("ffffffff81000000 T printk\nffffffff81000010printk\n");
        assertOneLineError(link(o.toString(), "--base", "0x40000000", "--symbols", bad.toString(), "-o", "x.img"),
                bad + ":2: expected 'ADDRESS TYPE NAME'");
    }
}

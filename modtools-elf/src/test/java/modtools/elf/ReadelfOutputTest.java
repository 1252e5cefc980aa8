package modtools.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The readelf parser on canned output, including the rows that are awkward to split. */
class ReadelfOutputTest {
    private static Map<String, ReadelfOutput.FileDump> parse(String text, String onlyFile) throws IOException {
        return ReadelfOutput.parseAll(new BufferedReader(new StringReader(text)), onlyFile);
    }

    private static final String TWO_FILES = String.join("\n",
            "",
            "File: a.o",
            "There are 7 section headers, starting at offset 0x2eb1f8:",
            "",
            "Section Headers:",
            "  [Nr] Name              Type            Address          Off    Size   ES Flg Lk Inf Al",
            "  [ 0]                   NULL            0000000000000000 000000 01117a 00     70009   0  0",
            "  [ 1] .rela.gnu.linkonce.this_module RELA            0000000000000000 017640 000030 18   I 44  38  8",
            "  [ 2] .symtab_shndx     SYMTAB SECTION INDICES 0000000000000000 1ab680 0445c4 04     70006   0  4",
            "  [ 3] .odd              <unknown>: 3f   0000000000000000 000040 000000 00      0   0  1",
            "  [ 4] .note.GNU-stack   PROGBITS        0000000000000000 00a850 000000 00      0   0  1",
            "  [ 5] with space        LOOS+0x10       0000000000000000 00a850 000000 00 WAXMSILOGTCEx  0   0 16",
            "  [70005] .rela.refs        RELA            0000000000000000 264af0 0006a8 18   I 70006 70004  8",
            "Key to Flags:",
            "  W (write), A (alloc), X (execute), M (merge), S (strings), I (info),",
            "",
            "Relocation section '.rela.text' at offset 0xee20 contains 3 entries:",
            "    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend",
            "0000000000000001  0000009200000004 R_X86_64_PLT32         0000000000000000 __fentry__ - 4",
            "0000000000000a42  0000000300000002 R_X86_64_PC32          0000000000000000 .text.unlikely + f",
            "0000000000000010  0000000000000008 R_X86_64_RELATIVE                    -10",
            "",
            "Symbol table '.symtab' contains 6 entries:",
            "   Num:    Value          Size Type    Bind   Vis      Ndx Name",
            "     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND ",
            "     1: 0000000000000000     0 SECTION LOCAL  DEFAULT    1 .text",
            "     2: 0000000000000008    64 OBJECT  GLOBAL DEFAULT  COM common_sym",
            "     3: 0000000000000000 0x4e200 OBJECT  GLOBAL DEFAULT   12 big_array",
            " 65283: 0000000000000000     0 <OS specific>: 11 <unknown>: 14 PROTECTED [<localentry>: 8] OS [0xff20] odd name",
            "     5: 0000000000000000     0 IFUNC   GLOBAL HIDDEN   ABS picked",
            "",
            "Displaying notes found in: .note.gnu.build-id",
            "  Owner                Data size \tDescription",
            "  GNU                  0x00000014\tNT_GNU_BUILD_ID (unique build ID bitstring)\t    Build ID: 6a590d63e531f832e083a538f89c0c7a60de79d2",
            "",
            "File: b.o",
            "There are no sections in this file.",
            "",
            "Relocation section '.rel.text' at offset 0x100 contains 1 entry:",
            " Offset     Info    Type                Sym. Value  Symbol's Name",
            "00000008  00000a02 R_386_PC32             00000000   ext_fn",
            "",
            "Symbol table '.symtab' contains 3 entries:",
            "   Num:    Value  Size Type    Bind   Vis      Ndx Name",
            "     0: 00000000     0 NOTYPE  LOCAL  DEFAULT  UND ",
            "",
            "Displaying notes found in: .note.Linux",
            "  Owner                Data size \tDescription",
            "  Linux                0x00000004\tfunc\t   description data: 00 01 0a ff ",
            "");

    @Test
    void sectionRowsSplitNameAndTypeFromTheRight() throws IOException {
        ReadelfOutput.FileDump a = parse(TWO_FILES, null).get("a.o");
        assertEquals(7, a.declaredSections);
        List<ReadelfOutput.SectionRow> rows = a.sections;
        assertEquals(7, rows.size());
        assertEquals("", rows.get(0).name());
        assertEquals("NULL", rows.get(0).type());
        assertEquals(0x1117a, rows.get(0).size());
        assertEquals(70009, rows.get(0).link());
        assertEquals(".rela.gnu.linkonce.this_module", rows.get(1).name());
        assertEquals("RELA", rows.get(1).type());
        assertEquals(0x17640, rows.get(1).offset());
        assertEquals(0x18, rows.get(1).entrySize());
        assertEquals("I", rows.get(1).flags());
        assertEquals(38, rows.get(1).info());
        assertEquals(".symtab_shndx", rows.get(2).name());
        assertEquals("SYMTAB SECTION INDICES", rows.get(2).type());
        assertEquals(".odd", rows.get(3).name());
        assertEquals("<unknown>: 3f", rows.get(3).type());
        assertEquals("", rows.get(4).flags());
        assertEquals("with space", rows.get(5).name());
        assertEquals("WAXMSILOGTCEx", rows.get(5).flags());
        assertEquals(16, rows.get(5).align());
        assertEquals(70005, rows.get(6).index());
        assertEquals(70004, rows.get(6).info());
        assertEquals(0x60000010L, ReadelfComparison.sectionType(rows.get(5).type(), Elf.EM_X86_64));
        assertEquals(0x3fL, ReadelfComparison.sectionType(rows.get(3).type(), Elf.EM_X86_64));
        assertEquals(18L, ReadelfComparison.sectionType(rows.get(2).type(), Elf.EM_X86_64));
        assertNull(ReadelfComparison.sectionType("SOMETHING_NEW", Elf.EM_X86_64));
    }

    @Test
    void relocationRowsWithAndWithoutSymbolsAndAddends() throws IOException {
        Map<String, ReadelfOutput.FileDump> dumps = parse(TWO_FILES, null);
        ReadelfOutput.RelocTable rela = dumps.get("a.o").relocations.get(0);
        assertEquals(".rela.text", rela.name());
        assertEquals(0xee20, rela.offset());
        assertEquals(3, rela.declared());
        assertEquals(-4L, rela.rows().get(0).addend());
        assertEquals(0x0000009200000004L, rela.rows().get(0).info());
        assertEquals(0xfL, rela.rows().get(1).addend());
        assertEquals(-0x10L, rela.rows().get(2).addend());
        assertEquals("R_X86_64_RELATIVE", rela.rows().get(2).type());
        ReadelfOutput.RelocTable rel = dumps.get("b.o").relocations.get(0);
        assertEquals(1, rel.declared());
        assertNull(rel.rows().get(0).addend());
        assertEquals(0xa02, rel.rows().get(0).info());
        assertEquals(8, rel.rows().get(0).offset());
    }

    @Test
    void symbolRowsWithSpecialTypesIndexesAndHexSizes() throws IOException {
        ReadelfOutput.FileDump a = parse(TWO_FILES, null).get("a.o");
        List<ReadelfOutput.SymbolRow> rows = a.symbolTables.get(0).rows();
        assertEquals(6, rows.size());
        assertEquals("", rows.get(0).name());
        assertEquals(0L, ReadelfComparison.sectionIndex(rows.get(0).ndx()));
        assertEquals((long) Elf.SHN_COMMON, ReadelfComparison.sectionIndex(rows.get(2).ndx()));
        assertEquals(8, rows.get(2).value());
        assertEquals(0x4e200, rows.get(3).size());
        assertEquals(12L, ReadelfComparison.sectionIndex(rows.get(3).ndx()));
        ReadelfOutput.SymbolRow odd = rows.get(4);
        assertEquals(65283, odd.num());
        assertEquals(11L, ReadelfComparison.symbolType(odd.type()));
        assertEquals(14L, ReadelfComparison.symbolBinding(odd.bind()));
        assertEquals(3L, ReadelfComparison.visibility(odd.visibility()));
        assertEquals(0xff20L, ReadelfComparison.sectionIndex(odd.ndx()));
        assertEquals("odd name", odd.name());
        assertEquals(10L, ReadelfComparison.symbolType(rows.get(5).type()));
        assertEquals((long) Elf.SHN_ABS, ReadelfComparison.sectionIndex(rows.get(5).ndx()));
        assertTrue(a.problems.isEmpty(), a.problems.toString());
    }

    @Test
    void notesKeepTheirDescriptorBytes() throws IOException {
        Map<String, ReadelfOutput.FileDump> dumps = parse(TWO_FILES, null);
        ReadelfOutput.NoteRow id = dumps.get("a.o").notes.get(0).notes().get(0);
        assertEquals("GNU", id.owner());
        assertEquals(20, id.size());
        assertEquals("6a590d63e531f832e083a538f89c0c7a60de79d2", id.descriptorHex());
        ReadelfOutput.NoteRow linux = dumps.get("b.o").notes.get(0).notes().get(0);
        assertEquals(".note.Linux", dumps.get("b.o").notes.get(0).name());
        assertEquals("00010aff", linux.descriptorHex());
    }

    @Test
    void missingRowsAndUnparsableRowsAreProblemsNotSilence() throws IOException {
        ReadelfOutput.FileDump b = parse(TWO_FILES, null).get("b.o");
        assertEquals(0, b.declaredSections);
        assertTrue(b.problems.stream().anyMatch(p -> p.contains("announced 3 symbols")), b.problems.toString());

        String garbled = String.join("\n",
                "There are 2 section headers, starting at offset 0x40:",
                "Section Headers:",
                "  [Nr] Name              Type            Address          Off    Size   ES Flg Lk Inf Al",
                "  [ 0]                   NULL            0000000000000000 000000 000000 00      0   0  0",
                "  [ 1] .text             PROGBITS        what?",
                "Key to Flags:");
        ReadelfOutput.FileDump one = parse(garbled, "one.o").get("one.o");
        assertTrue(one.problems.stream().anyMatch(p -> p.startsWith("unparsed section header row")), one.problems.toString());
        assertTrue(one.problems.stream().anyMatch(p -> p.contains("announced 2 section headers")), one.problems.toString());
    }

    @Test
    void printableMatchesReadelfForControlCharacters() {
        assertEquals("a^Ib", ReadelfComparison.printable("a\tb"));
        assertEquals(".text", ReadelfComparison.printable(".text"));
    }
}

package modtools.link;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.Relocation;
import modtools.elf.RelocationSection;
import modtools.elf.Section;
import modtools.elf.Symbol;
import modtools.elf.SymbolTable;
import modtools.link.x86_64.EntryStubs;

/**
 * Several relocatable objects made one, as {@code ld -r} would, so that they load as one
 * module: references among them in any direction resolve inside the result, loops included.
 * Sections of one name are concatenated (so {@code .modinfo}, {@code __ksymtab*} and
 * {@code __param} read as one table); sections the image never holds (debugging information,
 * notes) are left out. Each object's {@code init_module} and {@code cleanup_module} become
 * its own, local; the result's are {@link EntryStubs}, which call the objects' in order and
 * undo on failure. Two definitions of one global name are refused, as a link refuses them.
 */
public final class ObjectMerger {
    private static final String INIT = "init_module";
    private static final String EXIT = "cleanup_module";
    private static final int SYM = 24;
    private static final int RELA = 24;
    private static final int SHDR = 64;

    /** One output section: its header fields and the pieces of input sections it is made of. */
    private static final class Out {
        final String name;
        final int type;
        final long flags;
        long alignment = 1;
        long entrySize;
        long size;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<long[]> relocations = new ArrayList<>(); // offset, symbol, type, addend
        int index;

        Out(String name, int type, long flags) {
            this.name = name;
            this.type = type;
            this.flags = flags;
        }

        /** Appends a piece aligned to {@code alignment}; its offset in this section. */
        long append(ByteBuffer bytes, long length, long pieceAlignment) {
            long a = Math.max(1, pieceAlignment);
            alignment = Math.max(alignment, a);
            long at = (size + a - 1) / a * a;
            if (type != Elf.SHT_NOBITS) {
                data.writeBytes(new byte[(int) (at - size)]);
                byte[] b = new byte[(int) length];
                bytes.duplicate().get(b);
                data.writeBytes(b);
            }
            size = at + length;
            return at;
        }
    }

    /** A symbol of the result. */
    private record Sym(String name, int info, int other, Out section, int shndx, long value, long size) {}

    private final List<ElfFile> objects;
    private final String file;
    private final Map<String, Out> sections = new LinkedHashMap<>();
    private final List<Sym> locals = new ArrayList<>();
    private final List<Sym> globals = new ArrayList<>();
    private final Map<String, Integer> globalIndex = new HashMap<>();
    private final Map<String, String> definedIn = new HashMap<>();

    private ObjectMerger(List<ElfFile> objects) {
        this.objects = objects;
        this.file = String.join("+", objects.stream().map(ElfFile::file).map(ObjectMerger::baseName).toList());
    }

    /** The objects as one relocatable object, named by their file names joined with '+'. */
    public static ElfFile merge(List<ElfFile> objects) throws LinkException, ElfFormatException {
        return new ObjectMerger(objects).run();
    }

    private ElfFile run() throws LinkException, ElfFormatException {
        int n = objects.size();
        int[] inits = new int[n];
        int[] exits = new int[n];
        List<Map<Integer, Integer>> symbolMaps = new ArrayList<>();
        List<Map<Integer, long[]>> pieces = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            ElfFile object = objects.get(k);
            Map<Integer, long[]> placed = placeSections(object);
            pieces.add(placed);
            Map<Integer, Integer> symbols = new HashMap<>();
            inits[k] = -1;
            exits[k] = -1;
            addSymbols(object, placed, symbols, k, inits, exits);
            symbolMaps.add(symbols);
        }
        for (int k = 0; k < n; k++) {
            addRelocations(objects.get(k), pieces.get(k), symbolMaps.get(k));
        }
        addStub(".init.text", INIT, EntryStubs.init(inits, exits), inits);
        addStub(".exit.text", EXIT, EntryStubs.cleanup(exits), exits);
        return ElfFile.parse(file, write());
    }

    // ---- sections ----

    /** Input section index to {output section id, offset} for every section the result keeps. */
    private Map<Integer, long[]> placeSections(ElfFile object) throws ElfFormatException {
        Map<Integer, long[]> placed = new HashMap<>();
        for (Section s : object.sections()) {
            if (!kept(s)) {
                continue;
            }
            long flags = s.flags() & ~0x200L; // SHF_GROUP: groups are not kept
            Out out = sections.computeIfAbsent(s.name() + "\0" + s.type() + "\0" + flags,
                    key -> new Out(s.name(), s.type(), flags));
            out.entrySize = s.entrySize();
            ByteBuffer bytes = s.type() == Elf.SHT_NOBITS ? ByteBuffer.allocate(0) : object.data(s).asBuffer();
            long at = out.append(bytes, s.size(), s.alignment());
            placed.put(s.index(), new long[] {outId(out), at});
        }
        return placed;
    }

    /** What the image or the module's readers use: loaded sections, and .modinfo and __versions. */
    private static boolean kept(Section s) {
        boolean contents = s.type() == Elf.SHT_PROGBITS || s.type() == Elf.SHT_NOBITS;
        return contents && (s.isAllocated() || s.name().equals(".modinfo") || s.name().equals("__versions"));
    }

    private int outId(Out out) {
        int i = 0;
        for (Out o : sections.values()) {
            if (o == out) {
                return i;
            }
            i++;
        }
        throw new IllegalStateException(out.name);
    }

    private Out out(long id) {
        return new ArrayList<>(sections.values()).get((int) id);
    }

    // ---- symbols ----

    private void addSymbols(ElfFile object, Map<Integer, long[]> placed, Map<Integer, Integer> map, int k,
                            int[] inits, int[] exits) throws LinkException, ElfFormatException {
        var symtab = object.symbolTable();
        if (symtab.isEmpty()) {
            return;
        }
        SymbolTable table = object.symbols(symtab.get());
        for (int i = 1; i < table.size(); i++) {
            Symbol s = table.get(i);
            Out section = null;
            long value = s.value();
            int shndx = s.sectionIndex();
            if (shndx != Elf.SHN_UNDEF && shndx != Elf.SHN_ABS && shndx != Elf.SHN_COMMON) {
                long[] p = placed.get(shndx);
                if (p == null) {
                    continue; // defined in a section the result leaves out: nothing loaded refers to it
                }
                section = out(p[0]);
                value += p[1];
            }
            boolean own = !s.isUndefined() && s.isGlobal() && (s.name().equals(INIT) || s.name().equals(EXIT));
            if (s.binding() == Elf.STB_LOCAL || own) {
                int info = own ? (Elf.STB_LOCAL << 4 | s.type()) : (s.binding() << 4 | s.type());
                map.put(i, locals.size() + 1);
                locals.add(new Sym(s.name(), info, s.visibility(), section, shndx, value, s.size()));
                if (own) {
                    (s.name().equals(INIT) ? inits : exits)[k] = locals.size();
                }
                continue;
            }
            map.put(i, -1 - global(s, section, shndx, value, object.file()));
        }
    }

    /** The index among the globals of a global name, defined here or not; a second strong definition is refused. */
    private int global(Symbol s, Out section, int shndx, long value, String object) throws LinkException {
        Integer at = globalIndex.get(s.name());
        Sym mine = new Sym(s.name(), s.binding() << 4 | s.type(), s.visibility(), section, shndx, value, s.size());
        if (at == null) {
            globalIndex.put(s.name(), globals.size());
            globals.add(mine);
            if (!s.isUndefined()) {
                definedIn.put(s.name(), object);
            }
            return globals.size() - 1;
        }
        Sym old = globals.get(at);
        boolean oldDefined = old.shndx() != Elf.SHN_UNDEF;
        if (s.isUndefined()) {
            return at;
        }
        boolean weak = s.binding() == Elf.STB_WEAK;
        boolean oldWeak = (old.info() >> 4) == Elf.STB_WEAK;
        if (oldDefined && !weak && !oldWeak) {
            throw new LinkException(new LinkProblem.BadObject(file, "symbol " + s.name() + " is defined in both "
                    + baseName(definedIn.get(s.name())) + " and " + baseName(object)));
        }
        if (!oldDefined || (oldWeak && !weak)) {
            globals.set(at, mine);
            definedIn.put(s.name(), object);
        }
        return at;
    }

    private int finalIndex(int mapped) {
        return mapped >= 0 ? mapped : locals.size() + 1 + (-1 - mapped);
    }

    // ---- relocations ----

    private void addRelocations(ElfFile object, Map<Integer, long[]> placed, Map<Integer, Integer> map)
            throws LinkException, ElfFormatException {
        for (RelocationSection rs : object.relocationSections()) {
            long[] target = placed.get(rs.target().index());
            if (target == null) {
                continue;
            }
            if (!rs.hasAddends()) {
                throw new LinkException(new LinkProblem.BadObject(object.file(),
                        "relocation section " + rs.section().name() + " is SHT_REL: x86-64 objects use SHT_RELA"));
            }
            Out out = out(target[0]);
            for (Relocation r : object.relocations(rs)) {
                Integer sym = r.symbolIndex() == 0 ? Integer.valueOf(0) : map.get(r.symbolIndex());
                if (sym == null) {
                    throw new LinkException(new LinkProblem.BadObject(object.file(), "a relocation in "
                            + rs.target().name() + " names symbol " + r.symbolIndex() + ", which is not loaded"));
                }
                out.relocations.add(new long[] {target[1] + r.offset(), sym, r.type(), r.addend()});
            }
        }
    }

    private void addStub(String sectionName, String symbol, EntryStubs.Stub stub, int[] functions) {
        boolean any = false;
        for (int f : functions) {
            any |= f >= 0;
        }
        if (!any) {
            return;
        }
        Out out = new Out(sectionName, Elf.SHT_PROGBITS, Elf.SHF_ALLOC | Elf.SHF_EXECINSTR);
        out.append(ByteBuffer.wrap(stub.code()), stub.code().length, 16);
        sections.put(sectionName + "\0stub", out);
        for (EntryStubs.Call c : stub.calls()) {
            out.relocations.add(new long[] {c.offset(), c.function(), EntryStubs.PLT32, -4});
        }
        globalIndex.put(symbol, globals.size());
        globals.add(new Sym(symbol, Elf.STB_GLOBAL << 4 | Elf.STT_FUNC, 0, out, -2, 0, stub.code().length));
    }

    // ---- the file ----

    private ByteBuffer write() {
        List<Out> outs = new ArrayList<>(sections.values());
        StringTable shstrtab = new StringTable();
        StringTable strtab = new StringTable();
        int index = 1;
        for (Out o : outs) {
            o.index = index++;
        }
        List<Out> relas = new ArrayList<>();
        for (Out o : outs) {
            if (!o.relocations.isEmpty()) {
                relas.add(o);
            }
        }
        int symtabIndex = index + relas.size();
        int strtabIndex = symtabIndex + 1;
        int shstrtabIndex = symtabIndex + 2;
        int count = shstrtabIndex + 1;

        List<Sym> all = new ArrayList<>(locals);
        all.addAll(globals);
        ByteBuffer symtab = ByteBuffer.allocate((all.size() + 1) * SYM).order(ByteOrder.LITTLE_ENDIAN);
        symtab.position(SYM);
        for (Sym s : all) {
            int shndx = s.section() != null ? s.section().index : s.shndx();
            symtab.putInt(strtab.add(s.name())).put((byte) s.info()).put((byte) s.other()).putShort((short) shndx)
                    .putLong(s.value()).putLong(s.size());
        }

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[64]);
        long[] offsets = new long[count];
        long[] sizes = new long[count];
        for (Out o : outs) {
            offsets[o.index] = align(body, Math.max(1, o.alignment));
            body.writeBytes(o.data.toByteArray());
            sizes[o.index] = o.size;
        }
        for (int r = 0; r < relas.size(); r++) {
            Out o = relas.get(r);
            ByteBuffer b = ByteBuffer.allocate(o.relocations.size() * RELA).order(ByteOrder.LITTLE_ENDIAN);
            for (long[] e : o.relocations) {
                long sym = finalIndex((int) e[1]);
                b.putLong(e[0]).putLong(sym << 32 | e[2]).putLong(e[3]);
            }
            offsets[index + r] = align(body, 8);
            body.writeBytes(b.array());
            sizes[index + r] = b.capacity();
        }
        offsets[symtabIndex] = align(body, 8);
        body.writeBytes(symtab.array());
        sizes[symtabIndex] = symtab.capacity();
        byte[] strings = strtab.bytes();
        offsets[strtabIndex] = body.size();
        body.writeBytes(strings);
        sizes[strtabIndex] = strings.length;

        int[] names = new int[count];
        for (Out o : outs) {
            names[o.index] = shstrtab.add(o.name);
        }
        for (int r = 0; r < relas.size(); r++) {
            names[index + r] = shstrtab.add(".rela" + relas.get(r).name);
        }
        names[symtabIndex] = shstrtab.add(".symtab");
        names[strtabIndex] = shstrtab.add(".strtab");
        names[shstrtabIndex] = shstrtab.add(".shstrtab");
        byte[] shstrings = shstrtab.bytes();
        offsets[shstrtabIndex] = body.size();
        body.writeBytes(shstrings);
        sizes[shstrtabIndex] = shstrings.length;

        long shoff = align(body, 8);
        ByteBuffer headers = ByteBuffer.allocate(count * SHDR).order(ByteOrder.LITTLE_ENDIAN);
        headers.position(SHDR);
        for (Out o : outs) {
            header(headers, names[o.index], o.type, o.flags, offsets[o.index], sizes[o.index], 0, 0, o.alignment,
                    o.entrySize);
        }
        for (int r = 0; r < relas.size(); r++) {
            header(headers, names[index + r], Elf.SHT_RELA, 0x40, offsets[index + r], sizes[index + r], symtabIndex,
                    relas.get(r).index, 8, RELA); // SHF_INFO_LINK
        }
        header(headers, names[symtabIndex], Elf.SHT_SYMTAB, 0, offsets[symtabIndex], sizes[symtabIndex], strtabIndex,
                locals.size() + 1, 8, SYM);
        header(headers, names[strtabIndex], Elf.SHT_STRTAB, 0, offsets[strtabIndex], sizes[strtabIndex], 0, 0, 1, 0);
        header(headers, names[shstrtabIndex], Elf.SHT_STRTAB, 0, offsets[shstrtabIndex], sizes[shstrtabIndex], 0, 0,
                1, 0);
        body.writeBytes(headers.array());

        ByteBuffer elf = ByteBuffer.wrap(body.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        elf.put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F');
        elf.put(4, (byte) Elf.ELFCLASS64).put(5, (byte) Elf.ELFDATA2LSB).put(6, (byte) 1);
        elf.putShort(16, (short) Elf.ET_REL).putShort(18, (short) Elf.EM_X86_64).putInt(20, 1);
        elf.putLong(40, shoff).putShort(52, (short) 64).putShort(58, (short) SHDR).putShort(60, (short) count)
                .putShort(62, (short) shstrtabIndex);
        return elf;
    }

    private static void header(ByteBuffer b, int name, int type, long flags, long offset, long size, int link, int info,
                               long alignment, long entrySize) {
        b.putInt(name).putInt(type).putLong(flags).putLong(0).putLong(offset).putLong(size).putInt(link).putInt(info)
                .putLong(alignment).putLong(entrySize);
    }

    private static long align(ByteArrayOutputStream out, long alignment) {
        long at = (out.size() + alignment - 1) / alignment * alignment;
        out.writeBytes(new byte[(int) (at - out.size())]);
        return at;
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** A string table being built: "\0" first, each name once. */
    private static final class StringTable {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Map<String, Integer> offsets = new HashMap<>();

        StringTable() {
            bytes.write(0);
        }

        int add(String s) {
            if (s.isEmpty()) {
                return 0;
            }
            return offsets.computeIfAbsent(s, k -> {
                int at = bytes.size();
                bytes.writeBytes(k.getBytes(StandardCharsets.ISO_8859_1));
                bytes.write(0);
                return at;
            });
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}

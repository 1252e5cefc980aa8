package modtools.link;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import modtools.contract.ImageHeader;
import modtools.elf.ByteView;
import modtools.elf.Elf;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.elf.ElfHeader;
import modtools.elf.RelocationSection;
import modtools.elf.Section;
import modtools.elf.SymbolTable;

/**
 * Links one relocatable object into an image that runs at a given address: lays out its
 * sections, gives its imports the addresses of a {@link SymbolMap}, adds GOT entries and
 * veneers where relocations need them, and applies every relocation, each write checked.
 *
 * <p>The steps, each a method below: sort the sections into regions; classify the symbols
 * (defined here, absolute, COMMON, imported, missing); scan the relocations, which fails on
 * the first unsupported type or unknown symbol before anything is written and finds the
 * symbols that need a GOT entry or a veneer; lay out; then copy the sections and apply.
 */
public final class Linker {
    public static final long PAGE = 4096;
    /** The largest image: about fifty times the largest module of a distribution kernel (amdgpu, 20 MiB). */
    private static final long MAX_IMAGE = 1L << 30;
    private static final long REACH = 1L << 31;
    private static final String GOT_SYMBOL = "_GLOBAL_OFFSET_TABLE_";
    private static final byte[] INIT = zeroTerminated("init_module");
    private static final byte[] EXIT = zeroTerminated("cleanup_module");
    /**
     * Entries per call of the methods that loop over relocations or symbols. A JVM compiles a
     * method after a few hundred calls but a long loop only after tens of thousands of turns,
     * in a run that is over in milliseconds: short calls have the loops compiled at once.
     */
    private static final int CHUNK = 256;

    // What a symbol index resolves to; the kinds from MISSING on fail when a relocation uses them.
    private static final byte IN_SECTION = 0;
    private static final byte ABSOLUTE = 1;
    private static final byte COMMON = 2;
    private static final byte IMPORTED = 3;
    private static final byte WEAK_ZERO = 4;
    private static final byte GOT_BASE = 5;
    private static final byte MISSING = 6;
    private static final byte NOT_LOADED = 7;
    private static final byte RESERVED = 8;

    private final ElfFile object;
    private final String file;
    private final Architecture arch;
    private final long base;
    private final SymbolMap map;

    private List<Section> sections;
    private Region[] regionOf;

    private SymbolTable table;
    private int symbolCount;
    /** st_name | st_info << 32 | st_other << 40 | st_shndx << 48, st_value, st_size: the raw entries. */
    private long[] rawSymbols;
    private byte[] kind;
    private Definition[] imported;
    private long[] address;

    /**
     * The architecture's answer for each type below 256, asked once, and what the scan needs of
     * it as bits: the two loops over every relocation read arrays, not objects.
     */
    private final Architecture.Howto[] howtos = new Architecture.Howto[256];
    private final byte[] scanFlags = new byte[256];
    private static final byte APPLIED = 1;
    private static final byte NOTHING_TO_DO = 2;
    private static final byte NEEDS_GOT_ENTRY = 4;
    private static final byte NARROW_DISTANCE = 8;
    private static final byte NARROW_ADDRESS = 16;
    private final List<Patch> patches = new ArrayList<>();
    private int[] gotSlot;
    private final List<Integer> gotSymbols = new ArrayList<>();
    /** 1: reached through a narrow PC-relative or call field; 2: through a narrow absolute one. */
    private byte[] narrowUse;
    private final List<Integer> veneered = new ArrayList<>();
    private final List<Integer> commons = new ArrayList<>();

    private Placement[] placed;
    private Layout layout;

    /** A relocation section to apply: its entries read in bulk, and the placed section they patch. */
    private record Patch(Section target, long[] entries) {}

    private Linker(ElfFile object, Architecture arch, long base, SymbolMap map) {
        this.object = object;
        this.file = object.file();
        this.arch = arch;
        this.base = base;
        this.map = map;
        for (int type = 0; type < howtos.length; type++) {
            Architecture.Howto h = arch.howto(type);
            howtos[type] = h;
            if (h != null) {
                Meaning m = h.meaning();
                boolean narrow = m.reachesSymbol() && h.field().size() <= 4;
                scanFlags[type] = (byte) (APPLIED
                        | (m == Meaning.NONE ? NOTHING_TO_DO : 0)
                        | (m.usesGotEntry() ? NEEDS_GOT_ENTRY : 0)
                        | (narrow && m != Meaning.ABSOLUTE ? NARROW_DISTANCE : 0)
                        | (narrow && m == Meaning.ABSOLUTE ? NARROW_ADDRESS : 0));
            }
        }
    }

    /**
     * Links {@code object} to run at {@code base} (page aligned), its imports resolved by {@code map}.
     *
     * @throws LinkException       what cannot be linked, with the object, section, offset, type and symbol
     * @throws ElfFormatException  a damaged object
     */
    public static LinkedImage link(ElfFile object, long base, SymbolMap map) throws LinkException, ElfFormatException {
        try {
            return link(object, base, map, ImageMemory.HEAP);
        } catch (IOException e) {
            throw new UncheckedIOException("the heap does no I/O", e);
        }
    }

    /**
     * Links as {@link #link(ElfFile, long, SymbolMap)} does, building the image in the memory
     * {@code memory} gives: a mapped file, say, so that the image is written once, in place.
     *
     * @throws IOException what {@code memory} throws
     */
    public static LinkedImage link(ElfFile object, long base, SymbolMap map, ImageMemory memory)
            throws LinkException, ElfFormatException, IOException {
        ElfHeader h = object.header();
        String file = object.file();
        if (h.type() != Elf.ET_REL) {
            throw new LinkException(new LinkProblem.BadObject(file, "not a relocatable object (ELF type " + h.type() + ")"));
        }
        Architecture arch = Architecture.of(h.machine());
        if (arch == null || !h.is64() || h.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new LinkException(new LinkProblem.BadObject(file, "machine " + h.machine()
                    + (h.is64() ? "" : " (32-bit)") + " is not supported: x86-64 objects only"));
        }
        if ((base & (PAGE - 1)) != 0) {
            throw new LinkException(new LinkProblem.BadObject(file,
                    "base address 0x" + Long.toHexString(base) + " is not page aligned"));
        }
        Linker linker = new Linker(object, arch, base, map);
        return linker.run(memory);
    }

    private LinkedImage run(ImageMemory memory) throws LinkException, ElfFormatException, IOException {
        sortSections();
        readSymbols();
        scanRelocations();
        layout = layOut();
        ByteBuffer image = memory.allocate((int) layout.header().imageSize()).order(ByteOrder.LITTLE_ENDIAN);
        layout.header().write(image);
        copySections(image);
        writeGot(image);
        writeVeneers(image);
        for (Patch p : patches) {
            apply(p, image);
        }
        return new LinkedImage(layout, image, this);
    }

    // ---- sections ----

    private void sortSections() throws ElfFormatException {
        sections = object.sections();
        regionOf = new Region[sections.size()];
        for (Section s : sections) {
            regionOf[s.index()] = regionOf(s);
        }
    }

    /**
     * The region of a section, or null when it is not loaded: sections without SHF_ALLOC, and
     * {@code .modinfo} and {@code __versions}, which the kernel drops too (tools read them from
     * the file, the running module never does). Like the kernel, {@code .init*} sections go to
     * the init part, which the host frees once init has returned.
     */
    private static Region regionOf(Section s) {
        if (!s.isAllocated() || s.name().equals(".modinfo") || s.name().equals("__versions")) {
            return null;
        }
        boolean init = s.name().startsWith(".init");
        if ((s.flags() & Elf.SHF_EXECINSTR) != 0) {
            return init ? Region.INIT_TEXT : Region.TEXT;
        }
        if (init) {
            return Region.INIT_DATA;
        }
        if (s.type() == Elf.SHT_NOBITS) {
            return Region.BSS;
        }
        return (s.flags() & Elf.SHF_WRITE) != 0 ? Region.DATA : Region.RODATA;
    }

    // ---- symbols ----

    private void readSymbols() throws LinkException, ElfFormatException {
        java.util.Optional<Section> symtab = object.symbolTable();
        if (symtab.isEmpty()) {
            rawSymbols = new long[0];
            kind = new byte[0];
            address = new long[0];
            return;
        }
        table = object.symbols(symtab.get());
        symbolCount = table.size();
        rawSymbols = new long[symbolCount * 3];
        ByteView entries = object.data(symtab.get());
        entries.asBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(rawSymbols);
        kind = new byte[symbolCount];
        imported = new Definition[symbolCount];
        address = new long[symbolCount];
        for (int from = 1; from < symbolCount; from += CHUNK) {
            classify(from, Math.min(symbolCount, from + CHUNK));
        }
        if (symbolCount > 0) {
            kind[0] = ABSOLUTE; // the null symbol: relocations without a symbol add their addend to 0
        }
    }

    private void classify(int from, int to) throws LinkException, ElfFormatException {
        for (int i = from; i < to; i++) {
            kind[i] = classify(i);
        }
    }

    private byte classify(int i) throws LinkException, ElfFormatException {
        int shndx = sectionIndex(i);
        if (shndx == Elf.SHN_UNDEF) {
            String name = table.name(i);
            if (name.equals(GOT_SYMBOL)) {
                return GOT_BASE;
            }
            Definition d = map.find(name);
            if (d != null) {
                imported[i] = d;
                return IMPORTED;
            }
            return binding(i) == Elf.STB_WEAK ? WEAK_ZERO : MISSING;
        }
        if (shndx == Elf.SHN_ABS) {
            return ABSOLUTE;
        }
        if (shndx == Elf.SHN_COMMON) {
            commons.add(i);
            return COMMON;
        }
        if (shndx >= sections.size()) {
            return RESERVED;
        }
        return regionOf[shndx] == null ? NOT_LOADED : IN_SECTION;
    }

    private int sectionIndex(int i) throws ElfFormatException {
        int shndx = (int) (rawSymbols[3 * i] >>> 48);
        return shndx == Elf.SHN_XINDEX ? table.sectionIndex(i) : shndx;
    }

    private int binding(int i) {
        return (int) (rawSymbols[3 * i] >>> 36) & 0xf;
    }

    private long value(int i) {
        return rawSymbols[3 * i + 1];
    }

    private long size(int i) {
        return rawSymbols[3 * i + 2];
    }

    // ---- scan ----

    private void scanRelocations() throws LinkException, ElfFormatException {
        gotSlot = new int[symbolCount];
        java.util.Arrays.fill(gotSlot, -1);
        narrowUse = new byte[symbolCount];
        for (RelocationSection rs : object.relocationSections()) {
            Section target = rs.target();
            if (regionOf[target.index()] == null) {
                continue; // relocations of debugging information and other sections not loaded
            }
            Section rel = rs.section();
            if (!rs.hasAddends()) {
                throw badObject("relocation section " + rel.name() + " is SHT_REL: x86-64 objects use SHT_RELA");
            }
            if (table == null || rs.symbolTable().index() != table.section().index()) {
                throw badObject("relocation section " + rel.name() + " does not use the symbol table");
            }
            ByteView data = object.data(rel); // checked against the file before its size is trusted
            long[] entries = new long[(int) (data.size() / 24) * 3];
            data.asBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(entries);
            boolean noBits = target.type() == Elf.SHT_NOBITS;
            for (int from = 0; from < entries.length; from += 3 * CHUNK) {
                scan(entries, from, Math.min(entries.length, from + 3 * CHUNK), target, noBits);
            }
            patches.add(new Patch(target, entries));
        }
    }

    private void scan(long[] entries, int from, int to, Section target, boolean noBits)
            throws LinkException, ElfFormatException {
        for (int e = from; e < to; e += 3) {
            scan(entries, e, target, noBits);
        }
    }

    private void scan(long[] entries, int e, Section target, boolean noBits) throws LinkException, ElfFormatException {
        long info = entries[e + 1];
        int type = (int) info;
        int sym = (int) (info >>> 32);
        int flags = (type & ~0xff) == 0 ? scanFlags[type] : 0;
        if (flags == 0) {
            throw new LinkException(new LinkProblem.Unsupported(site(target, entries[e], type, sym)));
        }
        if (sym < 0 || sym >= symbolCount) {
            throw new LinkException(new LinkProblem.BadRelocation(site(target, entries[e], type, sym),
                    "symbol index " + Integer.toUnsignedString(sym) + " is out of range (" + symbolCount + " symbols)"));
        }
        if ((flags & NOTHING_TO_DO) != 0) {
            return;
        }
        if (noBits) {
            throw new LinkException(new LinkProblem.BadRelocation(site(target, entries[e], type, sym),
                    "relocation in a section without contents (SHT_NOBITS)"));
        }
        byte k = kind[sym];
        if (k == MISSING) {
            throw new LinkException(new LinkProblem.UnknownSymbol(site(target, entries[e], type, sym)));
        }
        if ((flags & NEEDS_GOT_ENTRY) != 0 && gotSlot[sym] < 0) {
            gotSlot[sym] = gotSymbols.size();
            gotSymbols.add(sym);
        }
        if ((flags & (NARROW_DISTANCE | NARROW_ADDRESS)) != 0 && k == IMPORTED && imported[sym].function()) {
            narrowUse[sym] |= (flags & NARROW_ADDRESS) != 0 ? 2 : 1;
        }
    }

    // ---- layout ----

    /**
     * Places everything: the header, text and the veneers, rodata and the GOT, data, bss and
     * the COMMON symbols, then init text and init data, each region starting on a page. Which
     * imports need a veneer depends on where the image ends, which depends on the number of
     * veneers: a first pass assumes every candidate needs one, so the image can only shrink
     * from there and whatever is out of reach of the larger image stays so.
     */
    private Layout layOut() throws LinkException, ElfFormatException {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < symbolCount; i++) {
            if (narrowUse[i] != 0) {
                candidates.add(i);
            }
        }
        long largest = placeSections(candidates.size());
        for (int i : candidates) {
            long s = imported[i].address();
            boolean pcFar = !fits32(s - base) || !fits32(s - largest);
            boolean absoluteFar = (narrowUse[i] & 2) != 0 && !(fits32(s) || s >>> 32 == 0);
            if (pcFar || absoluteFar) {
                veneered.add(i);
            }
        }
        placeSections(veneered.size());
        return finishLayout();
    }

    private static boolean fits32(long v) {
        return v == (int) v;
    }

    // Where placeSections put the regions and what it placed, for finishLayout.
    private List<Placement> order;
    private List<Layout.Common> commonPlaces;
    private int veneerCount;
    private long veneerStart;
    private long textEnd;
    private long gotStart;
    private long rodataEnd;
    private long coreEnd;
    private long initTextEnd;
    private long end;
    private long initAddress;
    private long exitAddress;

    /** Places sections, veneers, the GOT and COMMON symbols with room for {@code veneers} veneers; returns the end. */
    private long placeSections(int veneers) throws LinkException, ElfFormatException {
        veneerCount = veneers;
        placed = new Placement[sections.size()];
        order = new ArrayList<>();
        Cursor at = new Cursor(base + ImageHeader.SIZE);

        placeRegion(Region.TEXT, at, order);
        veneerStart = at.align(arch.veneerAlignment());
        at.advance((long) veneerCount * arch.veneerSize());
        textEnd = at.align(PAGE);

        placeRegion(Region.RODATA, at, order);
        gotStart = at.align(arch.gotEntrySize());
        at.advance((long) gotSymbols.size() * arch.gotEntrySize());
        rodataEnd = at.align(PAGE);

        placeRegion(Region.DATA, at, order);
        placeRegion(Region.BSS, at, order);
        commonPlaces = new ArrayList<>();
        for (int i : commons) {
            long alignment = Math.max(1, value(i)); // st_value of a COMMON symbol is its alignment
            checkAlignment(alignment, "COMMON symbol " + table.name(i));
            long a = at.align(alignment);
            at.advance(size(i));
            address[i] = a;
            commonPlaces.add(new Layout.Common(table.name(i), a, size(i), alignment));
        }
        coreEnd = at.align(PAGE);

        placeRegion(Region.INIT_TEXT, at, order);
        initTextEnd = at.align(PAGE);
        placeRegion(Region.INIT_DATA, at, order);
        end = at.align(PAGE);
        return end;
    }

    /** The symbols' addresses, the veneers and the GOT entries once the places are final, and the header. */
    private Layout finishLayout() throws ElfFormatException {
        for (int from = 1; from < symbolCount; from += CHUNK) {
            assignAddresses(from, Math.min(symbolCount, from + CHUNK));
        }
        List<Layout.Veneer> veneers = new ArrayList<>();
        for (int v = 0; v < veneerCount; v++) {
            int i = veneered.get(v);
            long a = veneerStart + (long) v * arch.veneerSize();
            veneers.add(new Layout.Veneer(table.name(i), a, arch.veneerSize(), address[i]));
            address[i] = a; // the veneer is the function's address everywhere in this image
        }
        List<Layout.GotEntry> got = new ArrayList<>(gotSymbols.size());
        for (int g = 0; g < gotSymbols.size(); g++) {
            int i = gotSymbols.get(g);
            got.add(new Layout.GotEntry(symbolName(i), gotStart + (long) g * arch.gotEntrySize(), address[i]));
        }
        ImageHeader header = ImageHeader.of(end - base, coreEnd - base, initAddress, exitAddress, textEnd, rodataEnd,
                initTextEnd);
        return new Layout(base, header, List.copyOf(order), new Layout.Got(gotStart, got), veneers, commonPlaces);
    }

    /** Sets the addresses of symbols {@code [from, to)}, and init's and exit's at the first global of their names. */
    private void assignAddresses(int from, int to) throws ElfFormatException {
        for (int i = from; i < to; i++) {
            switch (kind[i]) {
                case IN_SECTION -> {
                    address[i] = placed[sectionIndex(i)].address() + value(i);
                    if (binding(i) != Elf.STB_LOCAL) {
                        if (initAddress == 0 && table.nameStartsWith(i, INIT)) {
                            initAddress = address[i];
                        } else if (exitAddress == 0 && table.nameStartsWith(i, EXIT)) {
                            exitAddress = address[i];
                        }
                    }
                }
                case ABSOLUTE -> address[i] = value(i);
                case IMPORTED -> address[i] = imported[i].address();
                case GOT_BASE -> address[i] = gotStart;
                default -> { } // COMMON symbols have theirs from placeSections; the rest are never used
            }
        }
    }

    private void placeRegion(Region region, Cursor at, List<Placement> order) throws LinkException {
        for (Section s : sections) {
            if (regionOf[s.index()] != region) {
                continue;
            }
            long alignment = Math.max(1, s.alignment());
            checkAlignment(alignment, "section " + s.name());
            long a = at.align(alignment);
            at.advance(s.size());
            Placement p = new Placement(s.index(), s.name(), region, a, s.size(), alignment);
            placed[s.index()] = p;
            order.add(p);
        }
    }

    private void checkAlignment(long alignment, String what) throws LinkException {
        if (Long.bitCount(alignment) != 1 || alignment > MAX_IMAGE) {
            throw badObject(what + " has alignment " + Long.toUnsignedString(alignment)
                    + ", not a power of two up to 2 GiB");
        }
    }

    /** The next free address, checked against the largest image there can be. */
    private final class Cursor {
        private long at;

        Cursor(long at) {
            this.at = at;
        }

        long align(long alignment) throws LinkException {
            advance((-at) & (alignment - 1));
            return at;
        }

        void advance(long bytes) throws LinkException {
            if (bytes < 0 || bytes > MAX_IMAGE - (at - base)) {
                throw badObject("the image would be larger than " + (MAX_IMAGE >> 20) + " MiB");
            }
            at += bytes;
            if (Long.compareUnsigned(at, base) < 0) {
                throw badObject("the image would wrap past the end of the address space at base 0x"
                        + Long.toHexString(base));
            }
        }
    }

    // ---- image ----

    private void copySections(ByteBuffer image) throws ElfFormatException {
        for (Placement p : layout.sections()) {
            Section s = sections.get(p.index());
            if (s.type() != Elf.SHT_NOBITS) {
                image.put((int) (p.address() - base), object.data(s).asBuffer(), 0, (int) s.size());
            }
        }
    }

    private void writeGot(ByteBuffer image) {
        for (Layout.GotEntry e : layout.got().entries()) {
            image.putLong((int) (e.address() - base), e.value());
        }
    }

    private void writeVeneers(ByteBuffer image) {
        for (Layout.Veneer v : layout.veneers()) {
            arch.writeVeneer(image, (int) (v.address() - base), v.address(), v.target());
        }
    }

    /** Applies one relocation section: S, A, P, G, GOT, L and Z as {@link Meaning} defines them. */
    private void apply(Patch patch, ByteBuffer image) throws LinkException, ElfFormatException {
        Placement p = placed[patch.target().index()];
        long[] entries = patch.entries();
        for (int from = 0; from < entries.length; from += 3 * CHUNK) {
            apply(entries, from, Math.min(entries.length, from + 3 * CHUNK), p, image);
        }
    }

    private void apply(long[] entries, int from, int to, Placement target, ByteBuffer image)
            throws LinkException, ElfFormatException {
        for (int e = from; e < to; e += 3) {
            applyOne(entries, e, target, image);
        }
    }

    private void applyOne(long[] entries, int e, Placement target, ByteBuffer image) throws LinkException, ElfFormatException {
        long offset = entries[e];
        long info = entries[e + 1];
        long addend = entries[e + 2];
        int type = (int) info;
        int sym = (int) (info >>> 32);
        Architecture.Howto howto = howtos[type]; // the scan refused types without one
        Architecture.Field field = howto.field();
        int width = field.size();
        if (Long.compareUnsigned(offset, target.size()) > 0 || target.size() - offset < width) {
            throw new LinkException(new LinkProblem.BadRelocation(site(target, offset, type, sym),
                    "the field ends past the end of the section (0x" + Long.toHexString(target.size()) + " bytes)"));
        }
        if (width == 0) {
            return; // R_X86_64_NONE: nothing to write, whatever its symbol
        }
        if (kind[sym] > GOT_BASE) {
            throw unusable(target, offset, type, sym);
        }
        long s = address[sym];
        long p = target.address() + offset;
        long got = layout.got().address();
        long value = switch (howto.meaning()) {
            case NONE -> 0;
            case ABSOLUTE -> s + addend;
            case PC_RELATIVE, CALL -> s + addend - p;
            case GOT_ENTRY_PC -> got + (long) gotSlot[sym] * arch.gotEntrySize() + addend - p;
            case GOT_ENTRY_OFFSET -> (long) gotSlot[sym] * arch.gotEntrySize() + addend;
            case GOT_RELATIVE, CALL_GOT_RELATIVE -> s + addend - got;
            case GOT_BASE_PC -> got + addend - p;
            case SIZE -> symbolSize(target, offset, type, sym) + addend;
        };
        if (!field.write(image, (int) (p - base), value)) {
            throw new LinkException(new LinkProblem.Overflow(site(target, offset, type, sym), value, field.describe()));
        }
    }

    private long symbolSize(Placement target, long offset, int type, int sym) throws LinkException, ElfFormatException {
        if (kind[sym] == IMPORTED || kind[sym] == WEAK_ZERO || kind[sym] == GOT_BASE) {
            throw new LinkException(new LinkProblem.BadRelocation(site(target, offset, type, sym),
                    "the size of a symbol defined outside the object is not known"));
        }
        return size(sym);
    }

    private LinkException unusable(Placement target, long offset, int type, int sym) throws ElfFormatException {
        Site site = site(target, offset, type, sym);
        if (kind[sym] == MISSING) {
            return new LinkException(new LinkProblem.UnknownSymbol(site));
        }
        String problem = kind[sym] == NOT_LOADED
                ? "the symbol is in section " + sections.get(sectionIndex(sym)).name() + ", which is not loaded"
                : "the symbol's section index 0x" + Integer.toHexString(sectionIndex(sym)) + " is not a section";
        return new LinkException(new LinkProblem.BadRelocation(site, problem));
    }

    /**
     * Every named symbol the object defines (not sections, not file names), with its address in
     * the image, in address order and symbol table order within one address.
     */
    List<LinkedImage.DefinedSymbol> definedSymbols() throws ElfFormatException {
        List<LinkedImage.DefinedSymbol> out = new ArrayList<>();
        for (int i = 1; i < symbolCount; i++) {
            int type = (int) (rawSymbols[3 * i] >>> 32) & 0xf;
            boolean defined = kind[i] == IN_SECTION || kind[i] == ABSOLUTE || kind[i] == COMMON;
            if (defined && type != Elf.STT_SECTION && type != Elf.STT_FILE && !table.nameIsEmpty(i)) {
                out.add(new LinkedImage.DefinedSymbol(table.name(i), address[i], size(i), type, binding(i)));
            }
        }
        out.sort(LinkedImage.DefinedSymbol.BY_ADDRESS);
        return out;
    }

    // ---- messages ----

    private Site site(Section target, long offset, int type, int sym) throws ElfFormatException {
        return new Site(file, target.name(), offset, arch.typeName(type), symbolName(sym));
    }

    private Site site(Placement target, long offset, int type, int sym) throws ElfFormatException {
        return new Site(file, target.name(), offset, arch.typeName(type), symbolName(sym));
    }

    /** A symbol's name; a section symbol is named by its section, as readelf does. */
    private String symbolName(int sym) throws ElfFormatException {
        if (table == null || sym == 0) {
            return "";
        }
        if (sym < 0 || sym >= symbolCount) {
            return "#" + Integer.toUnsignedString(sym);
        }
        int type = (int) (rawSymbols[3 * sym] >>> 32) & 0xf;
        int shndx = sectionIndex(sym);
        if (type == Elf.STT_SECTION && shndx < sections.size()) {
            return sections.get(shndx).name();
        }
        return table.name(sym);
    }

    private LinkException badObject(String problem) {
        return new LinkException(new LinkProblem.BadObject(file, problem));
    }

    private static byte[] zeroTerminated(String name) {
        byte[] b = new byte[name.length() + 1];
        for (int i = 0; i < name.length(); i++) {
            b[i] = (byte) name.charAt(i);
        }
        return b;
    }
}

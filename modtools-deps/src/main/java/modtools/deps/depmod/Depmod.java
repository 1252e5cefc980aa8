package modtools.deps.depmod;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import modtools.deps.KmodLevel;
import modtools.elf.module.Compression;
import modtools.elf.module.DecoderError;
import modtools.elf.module.Export;
import modtools.elf.module.Import;

/**
 * depmod's model of a module tree: the modules in kmod's order, the symbols they export, the
 * dependencies those imply and a topological order over them. The steps follow kmod 30's
 * depmod so that every index written from this model is byte-identical to kmod's.
 */
public final class Depmod {
    private static final int KMOD_MODULE_BUCKETS = 512;

    // Named classes rather than lambdas: they come from the class-data archive ready-made.
    private static final Function<DepmodModule, String> BY_NAME = new Function<>() {
        @Override
        public String apply(DepmodModule m) {
            return m.name;
        }
    };
    private static final Comparator<DepmodModule> BY_SORT_INDEX = new Comparator<>() {
        @Override
        public int compare(DepmodModule a, DepmodModule b) {
            return Integer.compare(a.sortIndex, b.sortIndex);
        }
    };
    private static final Comparator<DepmodModule> BY_DEP_SORT_INDEX = new Comparator<>() {
        @Override
        public int compare(DepmodModule a, DepmodModule b) {
            return Integer.compare(a.depSortIndex, b.depSortIndex);
        }
    };

    /**
     * Settings from the command line. {@code symbolPrefix} is 0 when -P is not given;
     * {@code level} is the kmod release whose behaviour to copy.
     */
    public record Settings(String moduleDirectory, boolean printUnknown, boolean checkSymvers,
                           char symbolPrefix, boolean warnDuplicates, KmodLevel level) {}

    private final Settings settings;
    private final DepmodLog log;
    private final SymbolIndex symbols;
    private final Map<String, DepmodModule> byName = new HashMap<>();
    private final FactCache cache;
    private final FactReader reader;
    private List<DepmodModule> modules = List.of();
    private boolean cyclic;
    private Thread cacheWriter;

    /** A depmod whose module readers start at once, taking facts from {@code cache} where it can. */
    public Depmod(Settings settings, DepmodLog log, FactCache cache) {
        this.settings = settings;
        this.log = log;
        this.symbols = new SymbolIndex(settings.symbolPrefix());
        this.cache = cache;
        this.reader = new FactReader(cache, settings.level().zstdReading());
    }

    Settings settings() {
        return settings;
    }

    DepmodLog log() {
        return log;
    }

    List<DepmodModule> modules() {
        return modules;
    }

    SymbolIndex symbols() {
        return symbols;
    }

    /** Whether dependency cycles were found (kmod then fails; we still write what is sound). */
    public boolean cyclic() {
        return cyclic;
    }

    public void loadSymvers(Path file) throws IOException {
        KernelSymbols.loadSymvers(file, symbols, log);
    }

    public void loadSystemMap(Path file) throws IOException {
        KernelSymbols.loadSystemMap(file, symbols, settings.symbolPrefix(), log);
    }

    /** Adds a module; false (and nothing added) when one of that name is already known. */
    public boolean addModule(String name, String path) {
        if (byName.containsKey(name)) {
            return false;
        }
        String dir = settings.moduleDirectory();
        String relpath = path.startsWith(dir) && path.length() > dir.length() && path.charAt(dir.length()) == '/'
                ? path.substring(dir.length() + 1) : null;
        byName.put(name, new DepmodModule(name, path, relpath));
        return true;
    }

    /**
     * Puts the modules in kmod's order: first the iteration order of kmod's module-name hash,
     * then a stable sort that moves the modules listed in modules.order to the front in that
     * file's order. Without a readable modules.order kmod warns and keeps the hash order.
     * A module listed twice takes the place of its last line, or its first where the level
     * says so.
     */
    public void order() throws IOException {
        List<DepmodModule> list = new ArrayList<>(KmodHashOrder.of(byName.values(), BY_NAME, KMOD_MODULE_BUCKETS));
        Path orderFile = Path.of(settings.moduleDirectory(), "modules.order");
        List<String> lines;
        try {
            lines = readOrderFile(orderFile);
        } catch (NoSuchFileException e) {
            log.warning("could not open modules.order at " + settings.moduleDirectory() + ": No such file or directory");
            lines = null;
        }
        if (lines != null) {
            Map<String, DepmodModule> byOrderPath = new HashMap<>();
            for (DepmodModule m : list) {
                String p = m.orderPath();
                if (p != null) {
                    byOrderPath.put(p, m);
                }
            }
            int total = lines.size() + 1;
            boolean firstWins = settings.level().firstOrderLineWins();
            for (int i = 0; i < lines.size(); i++) {
                DepmodModule m = byOrderPath.get(lines.get(i));
                if (m != null && !(firstWins && m.sortIndex < 0)) {
                    m.sortIndex = i + 1 - total;
                }
            }
            list.sort(BY_SORT_INDEX);
        }
        for (int i = 0; i < list.size(); i++) {
            list.get(i).index = i;
        }
        modules = Collections.unmodifiableList(list);
    }

    /** The lines of modules.order, or null when kmod would call the file corrupt and not sort. */
    private List<String> readOrderFile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(new String(bytes, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            log.error(file + ":" + (lines.size() + 1) + " corrupted line misses '\\n'");
            return null;
        }
        return lines;
    }

    /** Hands each module the search finds ({@code size} bytes) to the readers at once, before the search ends. */
    public void readAhead(String path, long size) {
        reader.found(path, size);
    }

    /**
     * Collects every module's facts, then registers exports in module order, so that of two
     * modules exporting a symbol the later one owns it, as in kmod, and reports unreadable
     * modules in that order too. Enough for the files that need no symbols; {@link #resolve}
     * comes next. The cache is written meanwhile on a thread of its own; {@link #finishCache}
     * waits for it.
     */
    public void loadFacts() {
        List<String> paths = new ArrayList<>(modules.size());
        for (DepmodModule m : modules) {
            paths.add(m.path);
        }
        Map<String, ModuleFacts> facts = reader.finish(paths);
        cacheWriter = new Thread(new Runnable() {
            @Override
            public void run() {
                cache.save(paths);
            }
        }, "depmod-cache-writer");
        cacheWriter.start();
        for (DepmodModule m : modules) {
            m.facts = facts.get(m.path);
            if (m.facts.failure() != null) {
                reportFailure(m);
            }
            for (Export e : m.facts.exports()) {
                symbols.add(e.symbol(), false, e.crc(), m);
            }
        }
    }

    /**
     * kmod 34.2's libkmod logs a decoder's complaint each time depmod opens the file: before the
     * symbols fail, and again for its .modinfo and its dependency symbols. It reads an xz file
     * from the descriptor, which the first read left at the end, so the later two find no input;
     * a zstd file it maps from the start each time. (It does not read .ko.gz: no line.)
     */
    private void reportFailure(DepmodModule m) {
        DecoderError d = m.facts.decoderError();
        boolean decoderLine = d != null && d.format() != Compression.GZIP && settings.level().logsDecoderFailures();
        if (decoderLine) {
            log.error(d.words());
        }
        log.error("failed to load symbols from " + m.path + ": " + m.facts.failure());
        if (decoderLine) {
            String again = d.format() == Compression.XZ ? "xz: Unexpected end of input" : d.words();
            log.error(again);
            log.error(again);
        }
    }

    /** Waits until the cache is written; a cache that could not be read or written is one warning. */
    public void finishCache() {
        if (cacheWriter == null) {
            return;
        }
        try {
            cacheWriter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the fact cache", e);
        }
        String warning = cache.warning();
        if (warning != null) {
            log.warning(warning);
        }
    }

    /** Resolves each module's imports to the modules it depends on, once {@link #loadFacts} has run. */
    public void resolve() {
        for (DepmodModule m : modules) {
            resolveImports(m);
        }
    }

    private void resolveImports(DepmodModule m) {
        for (Import imp : m.facts.imports()) {
            SymbolIndex.Entry sym = symbols.find(imp.symbol());
            if (sym == null) {
                if (settings.printUnknown() && !imp.weak()) {
                    log.warning(m.path + " needs unknown symbol " + imp.symbol());
                }
                continue;
            }
            if (settings.checkSymvers() && sym.crc() != imp.crc() && !imp.weak() && settings.printUnknown()) {
                log.warning(m.path + " disagrees about version of symbol " + imp.symbol());
            }
            if (sym.owner() == null) {
                continue;
            }
            int before = m.deps.size();
            m.addDependency(sym.owner());
            if (m.deps.size() > before && log.verbose()) {
                log.show(m.path + " needs \"" + sym.name() + "\": " + sym.owner().path);
            }
        }
    }

    /**
     * kmod's topological sort: a LIFO stack seeded with the modules nobody uses, in module
     * order; each popped module releases its dependencies in the order they were found.
     * Modules left over are in cycles, which are reported as kmod reports them.
     */
    public void sortDependencies() {
        int n = modules.size();
        int[] users = new int[n];
        int[] stack = new int[n];
        int top = 0;
        for (int i = 0; i < n; i++) {
            users[i] = modules.get(i).users;
            if (users[i] == 0) {
                stack[top++] = i;
            }
        }
        int sorted = 0;
        while (top > 0) {
            DepmodModule src = modules.get(stack[--top]);
            src.depSortIndex = sorted++;
            for (DepmodModule dst : src.deps) {
                if (--users[dst.index] == 0) {
                    stack[top++] = dst.index;
                }
            }
        }
        if (sorted < n) {
            cyclic = true;
            new CycleReport(modules, log).report(users);
        }
        for (DepmodModule m : modules) {
            if (m.deps.size() > 1) {
                m.deps.sort(BY_DEP_SORT_INDEX);
            }
        }
    }

    /** Every module this one needs, directly or not, in the global topological order. */
    static List<DepmodModule> allDependencies(DepmodModule m) {
        List<DepmodModule> out = new ArrayList<>();
        collect(m, out, new java.util.IdentityHashMap<>());
        out.sort(BY_DEP_SORT_INDEX);
        return out;
    }

    private static void collect(DepmodModule m, List<DepmodModule> out, Map<DepmodModule, Boolean> seen) {
        for (DepmodModule d : m.deps) {
            if (seen.put(d, Boolean.TRUE) == null) {
                out.add(d);
                collect(d, out, seen);
            }
        }
    }
}

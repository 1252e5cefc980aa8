package modtools.deps.depmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import modtools.deps.KmodLevel;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.index.IndexWriter;
import modtools.elf.module.ModInfoEntry;

/**
 * The files depmod writes, in kmod's order, each rendered from the model to bytes: kmod 30's
 * ten, and modules.weakdep where the level has weak dependencies.
 * The binary indexes exist only as files: with -n (text to stdout) they are skipped.
 */
public final class DepmodOutput {
    /** One output file: its name, whether -n prints it, and how to render it. */
    public enum Kind {
        DEP("modules.dep", true, true),
        DEP_BIN("modules.dep.bin", false, true),
        ALIAS("modules.alias", true, false),
        ALIAS_BIN("modules.alias.bin", false, false),
        SOFTDEP("modules.softdep", true, false),
        WEAKDEP("modules.weakdep", true, false),
        SYMBOLS("modules.symbols", true, false),
        SYMBOLS_BIN("modules.symbols.bin", false, false),
        BUILTIN_BIN("modules.builtin.bin", false, false),
        BUILTIN_ALIAS_BIN("modules.builtin.alias.bin", false, false),
        DEVNAME("modules.devname", true, false);

        private final String fileName;
        private final boolean text;
        /** Whether the file needs the modules' dependencies, or only their facts and exports. */
        private final boolean resolved;

        Kind(String fileName, boolean text, boolean resolved) {
            this.fileName = fileName;
            this.text = text;
            this.resolved = resolved;
        }

        public String fileName() {
            return fileName;
        }

        public boolean text() {
            return text;
        }
    }

    /** A message kmod prints while writing a file: an error or a warning. */
    public record Message(boolean error, String text) {
        public void sendTo(DepmodLog log) {
            if (error) {
                log.error(text);
            } else {
                log.warning(text);
            }
        }
    }

    /** One file's bytes and the messages produced while making it, in kmod's order. */
    public record Rendered(Kind kind, byte[] bytes, List<Message> messages) {}

    /** Collects one file's messages, so files can be made in parallel and reported in order. */
    private static final class Messages {
        final List<Message> list = new ArrayList<>();

        void warning(String text) {
            list.add(new Message(false, text));
        }

        void error(String text) {
            list.add(new Message(true, text));
        }
    }

    private final Depmod depmod;
    private final IndexWriter.Order order;
    private String[] depLines;

    public DepmodOutput(Depmod depmod, IndexWriter.Order order) {
        this.depmod = depmod;
        this.order = order;
    }

    /**
     * Starts making the given files, in parallel (they only read the model): those that need
     * no dependencies at once, on a thread of their own, so that they are made while this
     * thread resolves symbols (the one part of depmod that runs on a single core).
     * {@link Rendering#finish} makes the rest, with every core taking what is left.
     */
    public Rendering startRendering(List<Kind> kinds) {
        return new Rendering(kinds);
    }

    /** Files being made; {@link #finish} once the dependencies are resolved and sorted. */
    public final class Rendering {
        private final List<Kind> kinds;
        private final Rendered[] out;
        private IOException failure;
        private final List<Integer> factsOnly = new ArrayList<>();
        private final List<Integer> withDependencies = new ArrayList<>();
        private final AtomicInteger nextFactsOnly = new AtomicInteger();
        private final AtomicInteger nextWithDependencies = new AtomicInteger();
        private final Thread early;

        private Rendering(List<Kind> kinds) {
            this.kinds = kinds;
            this.out = new Rendered[kinds.size()];
            for (int i = 0; i < kinds.size(); i++) {
                (kinds.get(i).resolved ? withDependencies : factsOnly).add(i);
            }
            this.early = new Thread(new Runnable() {
                @Override
                public void run() {
                    take(factsOnly, nextFactsOnly);
                }
            }, "depmod-early-files");
            early.start();
        }

        /** Makes what is left, waits for the early thread; the files in the order asked. */
        public List<Rendered> finish() throws IOException {
            Workers.run(Runtime.getRuntime().availableProcessors(), new Workers.Job() {
                @Override
                public void run(int worker) {
                    take(factsOnly, nextFactsOnly);
                    take(withDependencies, nextWithDependencies);
                }
            });
            try {
                early.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for depmod's files", e);
            }
            synchronized (this) {
                if (failure != null) {
                    throw failure;
                }
            }
            return List.of(out);
        }

        private void take(List<Integer> files, AtomicInteger next) {
            for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
                int file = files.get(i);
                try {
                    out[file] = render(kinds.get(file));
                } catch (IOException e) {
                    synchronized (this) {
                        failure = e;
                    }
                }
            }
        }
    }

    public Rendered render(Kind kind) throws IOException {
        Messages m = new Messages();
        byte[] bytes = switch (kind) {
            case DEP -> bytes(dep());
            case DEP_BIN -> depBin(m);
            case ALIAS -> bytes(alias());
            case ALIAS_BIN -> aliasBin(m);
            case SOFTDEP -> bytes(softdep());
            case WEAKDEP -> bytes(weakdep());
            case SYMBOLS -> bytes(symbols());
            case SYMBOLS_BIN -> symbolsBin(m);
            case BUILTIN_BIN -> builtinBin(m);
            case BUILTIN_ALIAS_BIN -> builtinAliasBin(m);
            case DEVNAME -> bytes(devname(m));
        };
        return new Rendered(kind, bytes, List.copyOf(m.list));
    }

    private static byte[] bytes(CharSequence text) {
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** "relpath: dep dep…", dependencies transitive and in the global topological order. */
    private static String depLine(DepmodModule m) {
        StringBuilder b = new StringBuilder(m.shownPath()).append(':');
        if (!m.deps.isEmpty()) {
            for (DepmodModule d : Depmod.allDependencies(m)) {
                b.append(' ').append(d.shownPath());
            }
        }
        return b.toString();
    }

    /** Each module's modules.dep line, made once for the text file and the index. */
    private synchronized String[] depLines() {
        if (depLines == null) {
            List<DepmodModule> modules = depmod.modules();
            String[] lines = new String[modules.size()];
            for (int i = 0; i < lines.length; i++) {
                lines[i] = depLine(modules.get(i));
            }
            depLines = lines;
        }
        return depLines;
    }

    private StringBuilder dep() {
        StringBuilder b = new StringBuilder(1 << 16);
        for (String line : depLines()) {
            b.append(line).append('\n');
        }
        return b;
    }

    private byte[] depBin(Messages log) {
        IndexWriter index = new IndexWriter();
        String[] lines = depLines();
        for (DepmodModule m : depmod.modules()) {
            String line = lines[m.index];
            if (index.insert(m.name, line, m.index) && depmod.settings().warnDuplicates()) {
                log.warning("duplicate module deps:\n" + line);
            }
        }
        return index.write(order);
    }

    private StringBuilder alias() {
        StringBuilder b = new StringBuilder("# Aliases extracted from modules themselves.\n");
        for (DepmodModule m : depmod.modules()) {
            for (ModInfoEntry e : m.facts.info()) {
                if (e.key().equals("alias")) {
                    b.append("alias ").append(e.value()).append(' ').append(m.name).append('\n');
                }
            }
        }
        return b;
    }

    private byte[] aliasBin(Messages log) {
        IndexWriter index = new IndexWriter();
        for (DepmodModule m : depmod.modules()) {
            for (ModInfoEntry e : m.facts.info()) {
                if (!e.key().equals("alias")) {
                    continue;
                }
                Optional<String> alias = AliasNormalizer.normalizeAlias(e.value());
                if (alias.isEmpty()) {
                    log.warning("Unmatched bracket in " + e.value());
                    continue;
                }
                if (index.insert(alias.get(), m.name, m.index) && depmod.settings().warnDuplicates()) {
                    log.warning("duplicate module alias:\n" + alias.get() + " " + m.name);
                }
            }
        }
        return index.write(order);
    }

    private StringBuilder softdep() {
        return modinfoLines("# Soft dependencies extracted from modules themselves.\n", "softdep");
    }

    private StringBuilder weakdep() {
        return modinfoLines("# Weak dependencies extracted from modules themselves.\n", "weakdep");
    }

    /** The header, then "KEY MODULE VALUE" for every .modinfo entry of that key, in module order. */
    private StringBuilder modinfoLines(String header, String key) {
        StringBuilder b = new StringBuilder(header);
        for (DepmodModule m : depmod.modules()) {
            for (ModInfoEntry e : m.facts.info()) {
                if (e.key().equals(key)) {
                    b.append(key).append(' ').append(m.name).append(' ').append(e.value()).append('\n');
                }
            }
        }
        return b;
    }

    private StringBuilder symbols() {
        StringBuilder b = new StringBuilder(1 << 16).append("# Aliases for symbols, used by symbol_request().\n");
        for (SymbolIndex.Entry s : depmod.symbols().inKmodOrder()) {
            if (s.owner() != null) {
                b.append("alias symbol:").append(s.name()).append(' ').append(s.owner().name).append('\n');
            }
        }
        return b;
    }

    private byte[] symbolsBin(Messages log) {
        IndexWriter index = new IndexWriter();
        for (SymbolIndex.Entry s : depmod.symbols().inKmodOrder()) {
            if (s.owner() == null) {
                continue;
            }
            String key = "symbol:" + s.name();
            if (index.insert(key, s.owner().name, s.owner().index) && depmod.settings().warnDuplicates()) {
                log.warning("duplicate module syms:\n" + key + " " + s.owner().name);
            }
        }
        return index.write(order);
    }

    /** modules.builtin lists the kernel's built-in modules by path; the index keys them by name. */
    private byte[] builtinBin(Messages log) throws IOException {
        Optional<byte[]> file = readModuleDirFile("modules.builtin", log);
        if (file.isEmpty()) {
            return new byte[0];
        }
        IndexWriter index = new IndexWriter();
        String text = new String(file.get(), StandardCharsets.ISO_8859_1);
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            // fgets keeps the newline; it becomes part of a name without an extension.
            String line = nl < 0 ? text.substring(start) : text.substring(start, nl + 1);
            start = nl < 0 ? text.length() : nl + 1;
            if (!isAsciiLetter(line.charAt(0))) {
                log.error("Invalid modules.builtin line: " + line.stripTrailing());
                continue;
            }
            index.insert(AliasNormalizer.normalizeModname(basename(line)), "", 0);
        }
        return index.write(order);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** "module.alias=value" strings of modules.builtin.modinfo become alias → module entries. */
    private byte[] builtinAliasBin(Messages log) throws IOException {
        Optional<byte[]> file = readModuleDirFile("modules.builtin.modinfo", log);
        if (file.isEmpty()) {
            return new byte[0];
        }
        IndexWriter index = new IndexWriter();
        String text = new String(file.get(), StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf('\0', at);
            if (end < 0) {
                end = text.length();
            }
            String entry = text.substring(at, end);
            at = end + 1;
            int dot = entry.indexOf('.');
            int eq = dot < 0 ? -1 : entry.indexOf('=', dot);
            if (dot <= 0 || eq < 0 || !entry.startsWith("alias=", dot + 1) || eq + 1 == entry.length()) {
                continue;
            }
            String value = entry.substring(eq + 1);
            Optional<String> alias = AliasNormalizer.normalizeAlias(value);
            if (alias.isEmpty()) {
                log.warning("Unmatched bracket in " + value);
                continue;
            }
            index.insert(alias.get(), entry.substring(0, dot), 0);
        }
        return index.write(order);
    }

    private Optional<byte[]> readModuleDirFile(String name, Messages log) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(Path.of(depmod.settings().moduleDirectory(), name)));
        } catch (NoSuchFileException e) {
            log.warning("could not open " + name + " at " + depmod.settings().moduleDirectory()
                    + ": No such file or directory");
            return Optional.empty();
        }
    }

    /** Device nodes: a module with "devname:NAME" and a char-/block-major alias gets a line. */
    private StringBuilder devname(Messages log) {
        StringBuilder b = new StringBuilder();
        for (DepmodModule m : depmod.modules()) {
            String devname = null;
            char type = 0;
            long major = 0;
            long minor = 0;
            for (ModInfoEntry e : m.facts.info()) {
                if (!e.key().equals("alias")) {
                    continue;
                }
                String v = e.value();
                long[] numbers;
                if (v.startsWith("devname:")) {
                    devname = v.substring("devname:".length());
                } else if ((numbers = MajorMinor.parse(v, "char-major-")) != null) {
                    type = 'c';
                    major = numbers[0];
                    minor = numbers[1];
                } else if ((numbers = MajorMinor.parse(v, "block-major-")) != null) {
                    type = 'b';
                    major = numbers[0];
                    minor = numbers[1];
                }
                if (type != 0 && devname != null) {
                    break;
                }
            }
            if (devname == null) {
                continue;
            }
            if (type == 0) {
                log.error("Module '" + m.name + "' has devname (" + devname
                        + ") but lacks major and minor information. Ignoring.");
                continue;
            }
            if (b.length() == 0) {
                b.append("# Device nodes to trigger on-demand module loading.\n");
            }
            b.append(m.name).append(' ').append(devname).append(' ').append(type)
                    .append(major).append(':').append(minor).append('\n');
        }
        return b;
    }

    /** The sscanf("PREFIX%u-%u") of kmod, unsigned wrap-around included. */
    private static final class MajorMinor {
        static long[] parse(String s, String prefix) {
            if (!s.startsWith(prefix)) {
                return null;
            }
            int[] at = {prefix.length()};
            Long major = unsigned(s, at);
            if (major == null || at[0] >= s.length() || s.charAt(at[0]) != '-') {
                return null;
            }
            at[0]++;
            Long minor = unsigned(s, at);
            return minor == null ? null : new long[] {major, minor};
        }

        private static Long unsigned(String s, int[] at) {
            int i = at[0];
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            boolean negative = false;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                negative = s.charAt(i) == '-';
                i++;
            }
            int digits = i;
            long value = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == digits) {
                return null;
            }
            at[0] = i;
            return (negative ? -value : value) & 0xffffffffL;
        }
    }

    /** The files in kmod's order: all of them, or with -n the text ones, which it prints. */
    public static List<Kind> kinds(KmodLevel level, boolean textOnly) {
        List<Kind> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            if ((!textOnly || k.text()) && (k != Kind.WEAKDEP || level.weakdeps())) {
                out.add(k);
            }
        }
        return out;
    }
}

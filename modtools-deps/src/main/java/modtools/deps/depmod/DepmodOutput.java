package modtools.deps.depmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.deps.index.AliasNormalizer;
import modtools.deps.index.IndexWriter;
import modtools.elf.module.ModInfoEntry;

/**
 * The ten files depmod writes, in kmod's order, each rendered from the model to bytes.
 * The binary indexes exist only as files: with -n (text to stdout) they are skipped.
 */
public final class DepmodOutput {
    /** One output file: its name, whether -n prints it, and how to render it. */
    public enum Kind {
        DEP("modules.dep", true),
        DEP_BIN("modules.dep.bin", false),
        ALIAS("modules.alias", true),
        ALIAS_BIN("modules.alias.bin", false),
        SOFTDEP("modules.softdep", true),
        SYMBOLS("modules.symbols", true),
        SYMBOLS_BIN("modules.symbols.bin", false),
        BUILTIN_BIN("modules.builtin.bin", false),
        BUILTIN_ALIAS_BIN("modules.builtin.alias.bin", false),
        DEVNAME("modules.devname", true);

        private final String fileName;
        private final boolean text;

        Kind(String fileName, boolean text) {
            this.fileName = fileName;
            this.text = text;
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

    /** The given files, made in parallel (they only read the model), in the order asked. */
    public List<Rendered> renderAll(List<Kind> kinds) throws IOException {
        Rendered[] out = new Rendered[kinds.size()];
        IOException[] failure = new IOException[1];
        Workers.run(kinds.size(), new Workers.Job() {
            @Override
            public void run(int i) {
                try {
                    out[i] = render(kinds.get(i));
                } catch (IOException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return List.of(out);
    }

    public Rendered render(Kind kind) throws IOException {
        Messages m = new Messages();
        byte[] bytes = switch (kind) {
            case DEP -> bytes(dep());
            case DEP_BIN -> depBin(m);
            case ALIAS -> bytes(alias());
            case ALIAS_BIN -> aliasBin(m);
            case SOFTDEP -> bytes(softdep());
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
        StringBuilder b = new StringBuilder("# Soft dependencies extracted from modules themselves.\n");
        for (DepmodModule m : depmod.modules()) {
            for (ModInfoEntry e : m.facts.info()) {
                if (e.key().equals("softdep")) {
                    b.append("softdep ").append(m.name).append(' ').append(e.value()).append('\n');
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
    public static List<Kind> kinds(boolean textOnly) {
        List<Kind> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            if (!textOnly || k.text()) {
                out.add(k);
            }
        }
        return out;
    }
}

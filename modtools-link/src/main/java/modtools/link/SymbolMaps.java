package modtools.link;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Readers of the files symbol addresses come in. Both are nm's output format, one symbol a
 * line: {@code ADDRESS TYPE NAME}, the address in hex, the type one letter.
 * <ul>
 * <li>modfs's {@code symbols} file and {@code /proc/kallsyms}: the latter may end a line with
 *     a tab and {@code [module]}, which makes the symbol that module's export;</li>
 * <li>a kernel's {@code System.map}.</li>
 * </ul>
 * Only global definitions resolve imports: lower-case types are local symbols (several may
 * share a name), {@code U} is an undefined one and {@code N} a debugging entry. {@code T},
 * {@code W} and {@code I} mark code, which a veneer may reach; the other letters data.
 */
public final class SymbolMaps {
    private SymbolMaps() {}

    /** A modfs {@code symbols} file or {@code /proc/kallsyms}. */
    public static SymbolMap readSymbols(Path file) throws IOException, LinkException {
        SymbolMap.Builder b = new SymbolMap.Builder();
        read(file, b);
        return b.build();
    }

    /** A kernel's {@code System.map}: the same lines, never with a module tag. */
    public static SymbolMap readSystemMap(Path file) throws IOException, LinkException {
        return readSymbols(file);
    }

    /** Adds the global definitions of an nm-style file to {@code into}. */
    public static void read(Path file, SymbolMap.Builder into) throws IOException, LinkException {
        read(file, into, true);
    }

    /**
     * Adds the host's own global definitions of modfs's {@code symbols} to {@code into}: the
     * lines a module tag ends are the live modules', which a loader resolves through their
     * exports instead.
     */
    public static void readHost(Path file, SymbolMap.Builder into) throws IOException, LinkException {
        read(file, into, false);
    }

    private static void read(Path file, SymbolMap.Builder into, boolean modules) throws IOException, LinkException {
        String name = file.toString();
        Provider host = new Provider.Host(name);
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        int lineNo = 0;
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            lineNo++;
            parseLine(text, at, end, name, lineNo, host, modules, into);
            at = end + 1;
        }
    }

    /** @param modules whether a module's line counts, or is passed over */
    private static void parseLine(String text, int start, int end, String file, int lineNo, Provider host,
                                  boolean modules, SymbolMap.Builder into) throws LinkException {
        if (start == end) {
            return;
        }
        int space = text.indexOf(' ', start);
        if (space < 0 || space > end || space + 3 > end || text.charAt(space + 2) != ' ') {
            throw new LinkException(new LinkProblem.BadSymbolFile(file, lineNo, "expected 'ADDRESS TYPE NAME'"));
        }
        long address = parseHex(text, start, space, file, lineNo);
        char type = text.charAt(space + 1);
        int nameStart = space + 3;
        int nameEnd = nameStart;
        while (nameEnd < end && text.charAt(nameEnd) != '\t') {
            nameEnd++; // not indexOf: a line without a tag would scan the rest of the file for one
        }
        if (nameEnd == nameStart) {
            throw new LinkException(new LinkProblem.BadSymbolFile(file, lineNo, "no symbol name"));
        }
        if (type < 'A' || type > 'Z' || type == 'U' || type == 'N') {
            return;
        }
        Provider provider = host;
        if (nameEnd < end) {
            int open = nameEnd + 1;
            if (end - open < 3 || text.charAt(open) != '[' || text.charAt(end - 1) != ']') {
                throw new LinkException(new LinkProblem.BadSymbolFile(file, lineNo, "expected '[module]' after the tab"));
            }
            if (!modules) {
                return;
            }
            provider = new Provider.Module(text.substring(open + 1, end - 1));
        }
        boolean function = type == 'T' || type == 'W' || type == 'I';
        into.define(new Definition(text.substring(nameStart, nameEnd), address, function, provider));
    }

    private static long parseHex(String text, int start, int end, String file, int lineNo) throws LinkException {
        if (end - start > 16 || end == start) {
            throw new LinkException(new LinkProblem.BadSymbolFile(file, lineNo, "address is not 1 to 16 hex digits"));
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) {
                throw new LinkException(new LinkProblem.BadSymbolFile(file, lineNo, "address is not 1 to 16 hex digits"));
            }
            value = value << 4 | digit;
        }
        return value;
    }
}

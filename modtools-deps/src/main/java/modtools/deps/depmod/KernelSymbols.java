package modtools.deps.depmod;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** vmlinux's exports for -E (Module.symvers, with CRCs) and -F (System.map, names only). */
final class KernelSymbols {
    private static final String KSYMTAB = "__ksymtab_";

    private KernelSymbols() {}

    /** Lines like "0xb352177e\tfind_first_bit\tvmlinux\tEXPORT_SYMBOL"; only vmlinux's count. */
    static void loadSymvers(Path file, SymbolIndex symbols, DepmodLog log) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                String[] fields = line.split("[ \t]+", -1);
                int first = fields.length > 0 && fields[0].isEmpty() ? 1 : 0;
                if (fields.length - first < 3 || !fields[first + 2].equals("vmlinux")) {
                    continue;
                }
                String version = fields[first];
                long crc;
                try {
                    crc = Long.parseUnsignedLong(version.startsWith("0x") || version.startsWith("0X")
                            ? version.substring(2) : version, 16);
                } catch (NumberFormatException e) {
                    log.error(file + ":" + lineNumber + " Invalid symbol version " + version + ": Success");
                    continue;
                }
                symbols.add(fields[first + 1], false, crc, null);
            }
        }
        symbols.addKernelMagic();
    }

    /** Lines like "c0294200 R __ksymtab_devfs_alloc_devnum": every __ksymtab_ entry is an export. */
    static void loadSystemMap(Path file, SymbolIndex symbols, char prefix, DepmodLog log) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                int first = line.indexOf(' ');
                int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
                if (second < 0) {
                    log.error(file + ":" + lineNumber + ": invalid line: " + line + "\n");
                    continue;
                }
                int at = second + 1;
                if (prefix != 0 && at < line.length() && line.charAt(at) == prefix) {
                    at++;
                }
                if (line.startsWith(KSYMTAB, at)) {
                    symbols.add(line.substring(at + KSYMTAB.length()), true, 0, null);
                }
            }
        }
        symbols.addKernelMagic();
    }
}

package modtools.contract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A module's symbols as its directory's {@code kallsyms} holds them: {@code ADDRESS SIZE TYPE
 * NAME} a line, the numbers in hex as {@code nm -S} prints them, for the part of the module
 * that stays after init. The type letter is nm's ({@code t} code, {@code r} read-only data,
 * {@code d} data, {@code b} bss), upper-case only for what the module exports, so that a linker
 * reading the root's {@code symbols} links against exports alone. The root's {@code symbols}
 * lists each live module's symbols after the host's as /proc/kallsyms does:
 * {@code ADDRESS TYPE NAME}, a tab and {@code [module]}.
 */
public record ModuleSymbols(String module, List<Entry> entries) {

    public record Entry(long address, long size, char type, String name) {}

    public ModuleSymbols {
        entries = entries.stream().sorted(Comparator.comparing(Entry::address, Long::compareUnsigned)).toList();
    }

    /** The {@code kallsyms} file's text. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (Entry e : entries) {
            out.append(String.format("%016x %016x %c %s\n", e.address(), e.size(), e.type(), e.name()));
        }
        return out.toString();
    }

    /** The root {@code symbols} file's lines for this module. */
    public String tagged() {
        StringBuilder out = new StringBuilder();
        for (Entry e : entries) {
            out.append(String.format("%016x %c %s\t[%s]\n", e.address(), e.type(), e.name(), module));
        }
        return out.toString();
    }

    /** The symbols of a {@code kallsyms} text; lines that do not read as a symbol are passed over. */
    public static ModuleSymbols parse(String module, String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 4 || f[2].length() != 1) {
                continue;
            }
            try {
                entries.add(new Entry(Long.parseUnsignedLong(f[0], 16), Long.parseUnsignedLong(f[1], 16),
                        f[2].charAt(0), f[3]));
            } catch (NumberFormatException e) {
                // not a symbol line
            }
        }
        return new ModuleSymbols(module, entries);
    }

    /**
     * The symbol an address lies in as the kernel's {@code %pS} names it,
     * {@code NAME+0xOFF/0xSIZE}; a symbol of size 0 covers one byte. Empty outside every symbol.
     */
    public Optional<String> locate(long address) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (Long.compareUnsigned(e.address(), address) <= 0
                    && Long.compareUnsigned(address - e.address(), Math.max(e.size(), 1)) < 0) {
                return Optional.of(String.format("%s+0x%x/0x%x", e.name(), address - e.address(), e.size()));
            }
        }
        return Optional.empty();
    }

    /** {@link #locate} with the module's name: {@code NAME+0xOFF/0xSIZE [module]}. */
    public Optional<String> describe(long address) {
        return locate(address).map(where -> where + " [" + module + "]");
    }
}

package modtools.modfs.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A module's symbols as its loader gives them to the host (the module directory's
 * {@code kallsyms}: one {@code ADDRESS SIZE TYPE NAME} line per symbol, hex numbers as
 * {@code nm -S} prints them), for naming an address the way the kernel's {@code %pS} does:
 * {@code NAME+0xOFF/0xSIZE [module]}. Lines that do not read as a symbol are skipped.
 */
public final class ModuleSymbols {
    private record Symbol(String name, long address, long size) {}

    private final String module;
    private final List<Symbol> symbols;

    private ModuleSymbols(String module, List<Symbol> symbols) {
        this.module = module;
        this.symbols = symbols;
    }

    public static ModuleSymbols parse(String module, String text) {
        List<Symbol> symbols = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 4) {
                continue;
            }
            try {
                symbols.add(new Symbol(f[3], Long.parseUnsignedLong(f[0], 16), Long.parseUnsignedLong(f[1], 16)));
            } catch (NumberFormatException e) {
                // not a symbol line
            }
        }
        return new ModuleSymbols(module, List.copyOf(symbols));
    }

    /** {@code NAME+0xOFF/0xSIZE [module]} for the symbol {@code address} lies in, if any. */
    public Optional<String> describe(long address) {
        for (Symbol s : symbols) {
            if (Long.compareUnsigned(address, s.address()) >= 0
                    && Long.compareUnsigned(address - s.address(), Math.max(s.size(), 1)) < 0) {
                return Optional.of(String.format("%s+0x%x/0x%x [%s]", s.name(), address - s.address(), s.size(), module));
            }
        }
        return Optional.empty();
    }
}

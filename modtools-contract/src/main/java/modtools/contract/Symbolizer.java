package modtools.contract;

import java.util.List;
import java.util.Optional;

/**
 * Names addresses by the modules' symbols, in one form wherever an address is shown (the
 * host's log, {@code modtools symbolize}): {@code NAME+0xOFF/0xSIZE [module]}, with more after
 * the module's name where the caller has more to say ({@code [module, unloaded TIME]}).
 */
public final class Symbolizer {
    /** The symbols of one module and what follows its name in the brackets, if anything. */
    public record Known(ModuleSymbols symbols, String note) {}

    private final List<Known> modules;

    public Symbolizer(List<Known> modules) {
        this.modules = List.copyOf(modules);
    }

    /** The first module, in the order given, whose symbols hold the address. */
    public Optional<String> describe(long address) {
        for (Known k : modules) {
            Optional<String> where = k.symbols().locate(address);
            if (where.isPresent()) {
                String note = k.note() == null || k.note().isEmpty() ? "" : ", " + k.note();
                return Optional.of(where.get() + " [" + k.symbols().module() + note + "]");
            }
        }
        return Optional.empty();
    }
}

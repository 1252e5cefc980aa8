package modtools.cli.symbolize;

import java.io.IOException;
import java.util.Optional;
import modtools.cli.Command;
import modtools.cli.Invocation;
import modtools.contract.MountPath;
import modtools.contract.Symbolizer;
import modtools.load.BackendChoice;
import modtools.load.modfs.ModfsBackend;

/**
 * {@code modtools symbolize [--modfs DIR] ADDRESS...}: names each address by the symbols of the
 * modules over modfs, a line each: {@code SYMBOL+0xOFF/0xSIZE [module]} for a live module,
 * {@code ... [module, unloaded TIME]} for one of the last modules removed, or
 * {@code ADDRESS: not in any module}.
 */
public final class SymbolizeCommand implements Command {
    private static final String NAME = "modtools symbolize";

    @Override
    public int run(Invocation inv) {
        BackendChoice choice = BackendChoice.choose(inv.args(), inv.environment().get(MountPath.ENVIRONMENT), inv.cwd());
        if (choice.error() != null) {
            inv.err().println(NAME + ": " + choice.error());
            return 1;
        }
        if (choice.args().isEmpty() || choice.args().contains("-h") || choice.args().contains("--help")) {
            (choice.args().isEmpty() ? inv.err() : inv.out()).println("Usage: " + NAME + " [--modfs DIR] ADDRESS...");
            return choice.args().isEmpty() ? 1 : 0;
        }
        if (choice.modfs() == null) {
            inv.err().println(NAME + ": no modfs is mounted at " + MountPath.byDefault(
                    inv.environment().get(MountPath.ENVIRONMENT), inv.cwd()) + " (see --modfs)");
            return 1;
        }
        Symbolizer symbolizer;
        try (ModfsBackend backend = ModfsBackend.open(choice.modfs(), inv.err(), false, inv.environment(),
                inv.level().zstdReading())) {
            symbolizer = backend.symbolizer();
        } catch (IOException e) {
            inv.err().println(NAME + ": " + choice.modfs() + ": " + e.getMessage());
            return 1;
        }
        int status = 0;
        for (String word : choice.args()) {
            Optional<Long> address = parse(word);
            if (address.isEmpty()) {
                inv.err().println(NAME + ": '" + word + "' is not an address (hex, with or without 0x)");
                status = 1;
                continue;
            }
            inv.out().println(symbolizer.describe(address.get()).orElse(word + ": not in any module"));
        }
        return status;
    }

    private static Optional<Long> parse(String word) {
        String digits = word.startsWith("0x") || word.startsWith("0X") ? word.substring(2) : word;
        if (digits.isEmpty() || digits.length() > 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseUnsignedLong(digits, 16));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

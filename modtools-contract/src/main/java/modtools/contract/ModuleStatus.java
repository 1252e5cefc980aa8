package modtools.contract;

import java.util.Optional;

/**
 * What reading a module file answers: its state, the address it is mapped at ({@code 0x} and
 * 16 hex digits; 0 while unmapped) and its size, a line each. The directory's {@code control}
 * answers one line per module file: its name and the same three words.
 */
public record ModuleStatus(ModuleState state, long address, long size) {

    public boolean is(ModuleState s) {
        return state == s;
    }

    /** The status file's text. */
    public String text() {
        return state.word() + "\n" + hex(address) + "\n" + size + "\n";
    }

    /** The line of {@code control}'s listing for the module file {@code file}. */
    public String listing(String file) {
        return file + " " + state.word() + " " + hex(address) + " " + size + "\n";
    }

    /** The status in a status file's text, or empty when the text is not one. */
    public static Optional<ModuleStatus> parse(String text) {
        String[] lines = text.split("\n");
        if (lines.length < 3 || !lines[1].startsWith("0x")) {
            return Optional.empty();
        }
        try {
            Optional<ModuleState> state = ModuleState.of(lines[0]);
            if (state.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ModuleStatus(state.get(), Long.parseUnsignedLong(lines[1].substring(2), 16),
                    Long.parseLong(lines[2])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** An address as the contract writes it everywhere: {@code 0x} and 16 hex digits. */
    public static String hex(long address) {
        return String.format("0x%016x", address);
    }
}

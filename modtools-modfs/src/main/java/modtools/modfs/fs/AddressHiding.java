package modtools.modfs.fs;

/**
 * Addresses hidden from readers who may not change the mount, as the kernel's
 * {@code kptr_restrict} hides them: every address keeps its place and width and reads as
 * zeros, so the layout of every file is the same for everyone. An address is {@code 0x} and 16
 * hex digits anywhere ({@code module}, {@code control}, {@code info}, {@code log}), or 16 hex
 * digits opening a line ({@code symbols}, {@code kallsyms}).
 */
final class AddressHiding {
    private static final int DIGITS = 16;

    private AddressHiding() {}

    static byte[] hide(byte[] text) {
        byte[] out = text.clone();
        for (int i = 0; i < out.length; i++) {
            boolean prefixed = out[i] == '0' && i + 1 < out.length && out[i + 1] == 'x' && hexRun(out, i + 2);
            boolean lineStart = (i == 0 || out[i - 1] == '\n') && hexRun(out, i)
                    && (i + DIGITS == out.length || out[i + DIGITS] == ' ');
            if (prefixed || lineStart) {
                int from = prefixed ? i + 2 : i;
                for (int j = from; j < from + DIGITS; j++) {
                    out[j] = '0';
                }
                i = from + DIGITS - 1;
            }
        }
        return out;
    }

    private static boolean hexRun(byte[] b, int at) {
        if (at + DIGITS > b.length) {
            return false;
        }
        for (int j = at; j < at + DIGITS; j++) {
            byte c = b[j];
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}

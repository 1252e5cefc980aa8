package modtools.contract;

import java.util.Optional;

/**
 * What a module name may be, for mkdir in modfs and for the loader alike: not empty, not
 * {@code .} or {@code ..}, no {@code /} and no white space (a module directory's name is a
 * path component and a word in lsmod's table), at most 55 bytes (Linux's
 * {@code MODULE_NAME_LEN} less its NUL).
 */
public final class ModuleName {
    public static final int MAX_BYTES = 55;

    private ModuleName() {}

    /** Why {@code name} (its bytes) is not a module name, or empty if it is one. */
    public static Optional<String> problem(byte[] name) {
        if (name.length == 0) {
            return Optional.of("a module name cannot be empty");
        }
        if (name.length > MAX_BYTES) {
            return Optional.of("a module name is at most " + MAX_BYTES + " bytes, not " + name.length);
        }
        if (name.length <= 2 && (name[0] == '.' && (name.length == 1 || name[1] == '.'))) {
            return Optional.of("'.' and '..' are not module names");
        }
        for (byte b : name) {
            if (b == '/') {
                return Optional.of("a module name cannot hold '/'");
            }
            if (b == ' ' || (b >= '\t' && b <= '\r')) {
                return Optional.of("a module name cannot hold white space");
            }
        }
        return Optional.empty();
    }
}

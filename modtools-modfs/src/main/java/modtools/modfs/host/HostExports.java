package modtools.modfs.host;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import modtools.modfs.fuse.Libc;

/**
 * What the host exports to modules: functions only, at their real addresses in this process —
 * a libc set taken from the C library itself, and the host API from the host's native part.
 */
public final class HostExports {
    /** The libc functions modules may call. */
    static final List<String> LIBC_FUNCTIONS = List.of(
            "malloc", "calloc", "realloc", "free",
            "memcpy", "memmove", "memset", "memcmp", "memchr",
            "strlen", "strnlen", "strcmp", "strncmp", "strchr", "strrchr", "strstr", "strcpy", "strncpy",
            "snprintf", "vsnprintf", "strtol", "strtoul", "qsort");
    /** {@code void modfs_log(const char *line)} and {@code int modfs_thread_run(int (*fn)(void *), void *arg)}. */
    static final List<String> HOST_FUNCTIONS = List.of("modfs_log", "modfs_thread_run");

    private record Symbol(String name, long address) {}

    private final List<Symbol> symbols;

    public HostExports() {
        List<Symbol> all = new ArrayList<>();
        for (String name : HOST_FUNCTIONS) {
            all.add(new Symbol(name, Pointer.nativeValue(NativeHost.LIBRARY.getFunction(name))));
        }
        NativeLibrary libc = NativeLibrary.getInstance(Libc.LIBRARY);
        for (String name : LIBC_FUNCTIONS) {
            all.add(new Symbol(name, Pointer.nativeValue(libc.getFunction(name))));
        }
        all.sort(Comparator.comparingLong(Symbol::address).thenComparing(Symbol::name));
        this.symbols = List.copyOf(all);
    }

    /** kallsyms' format: {@code %016x T name} per function, in address order. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (Symbol s : symbols) {
            out.append(String.format("%016x T %s\n", s.address(), s.name()));
        }
        return out.toString();
    }
}

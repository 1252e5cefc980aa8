package modtools.contract;

import java.util.List;

/**
 * The names of a mount: the host's files in the root and, in each module directory (one per
 * module name, made by mkdir), {@code control}, {@code info} and the module files, which the
 * tools always call {@link #MODULE}.
 */
public final class ModfsFiles {
    /** The host's release, one line: modules are built for it, the tools use it as the kernel's. */
    public static final String VERSION = "version";
    /** What the host exports and then every live module's symbols, /proc/kallsyms-style lines. */
    public static final String SYMBOLS = "symbols";
    /** The host's and the modules' messages, printk-style lines. */
    public static final String LOG = "log";
    /** The host's taint as /proc/sys/kernel/tainted shows the kernel's: 128 (D) once a module faulted. */
    public static final String TAINT = "taint";
    public static final List<String> ROOT_FILES = List.of(VERSION, SYMBOLS, LOG, TAINT);

    /** Takes one {@link ControlVerb} command per write; reads as a status line per module file. */
    public static final String CONTROL = "control";
    /** User space's bytes, stored and never read by modfs: the loader's record of the module. */
    public static final String INFO = "info";
    /**
     * Optional, made by the loader before init: the module's symbols ({@link ModuleSymbols}),
     * {@code ADDRESS SIZE TYPE NAME} per line in hex as {@code nm -S} prints them; read by the
     * host to name the function a fault lies in and to list a live module's symbols in the
     * root's {@code symbols}.
     */
    public static final String KALLSYMS = "kallsyms";
    /** The files of a module directory that are not module files. */
    public static final List<String> DIRECTORY_FILES = List.of(CONTROL, INFO, KALLSYMS);
    /** The module file the tools create in a module directory. */
    public static final String MODULE = "module";

    /** What {@link #VERSION} holds on this host. */
    public static final String RELEASE = "1.0.0-modfs";

    private ModfsFiles() {}

    /** Whether a root entry is the host's file rather than a module directory. */
    public static boolean isHostFile(String name) {
        return ROOT_FILES.contains(name);
    }
}

package modtools.deps.resolve;

import java.util.List;
import java.util.Optional;

/**
 * The questions modprobe, rmmod and lsmod ask the running kernel about a module, as raw answers; the
 * resolver reads them the way libkmod does. On Linux they are files under /sys/module;
 * tests answer them from a directory or a map.
 */
public interface KernelState {
    /** The text of {@code /sys/module/NAME/initstate}, if it can be read. */
    Optional<String> initstate(String module);

    /** Whether {@code /sys/module/NAME} is a directory. */
    boolean hasDirectory(String module);

    /** The text of {@code /sys/module/NAME/refcnt}, if it can be read. */
    Optional<String> refcnt(String module);

    /** The text of {@code /sys/module/NAME/coresize} (lsmod's size), if it can be read. */
    Optional<String> coresize(String module);

    /** The entries of {@code /sys/module/NAME/holders}; empty when it cannot be listed. */
    Optional<List<String>> holders(String module);

    /**
     * Whether every module can be unloaded, so that a module without a use count is one that
     * has gone since it was asked about. A Linux kernel built without CONFIG_MODULE_UNLOAD has
     * no refcnt files, which is what kmod's rmmod takes their absence for.
     */
    default boolean unloadingAlwaysSupported() {
        return false;
    }
}

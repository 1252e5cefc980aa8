package modtools.load.linux;

import modtools.deps.resolve.Insertion;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.ModuleLoader;

/**
 * The loader on a kernel without module support (no /proc/modules): it answers every request
 * as such a kernel does (ENOSYS), which is also what kmod reports there. Everything before the
 * actual load — lookups, order, options, install commands, the blacklist, the kernel's state —
 * is still decided exactly as kmod decides it.
 */
public final class NoModuleSupport implements ModuleLoader {
    @Override
    public Insertion insert(String path, String options, boolean forceVermagic, boolean forceModversion) {
        return Insertion.of(LinuxErrno.ENOSYS);
    }

    @Override
    public int remove(String module, boolean force) {
        return LinuxErrno.ENOSYS;
    }
}

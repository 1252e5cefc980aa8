package modtools.load.linux;

import modtools.deps.resolve.Insertion;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.ModuleLoader;

/**
 * A loader that never reaches a kernel: it answers every request as a kernel without module
 * support does (ENOSYS), without reading the module. For an architecture whose call numbers we
 * do not know, and for tests whose modprobe must not load anything into the machine they run
 * on. Everything before the actual load — lookups, order, options, install commands, the
 * blacklist, the kernel's state — is still decided exactly as kmod decides it.
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

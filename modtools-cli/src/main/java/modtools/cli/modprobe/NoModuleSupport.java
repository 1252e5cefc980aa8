package modtools.cli.modprobe;

import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.ModuleLoader;

/**
 * The loader until a real backend is plugged in: it answers every request as a kernel
 * built without module support does (ENOSYS), which is also what kmod reports on such a
 * kernel. Everything before the actual load — lookups, order, options, install commands,
 * the blacklist, the kernel's state — is decided exactly as kmod decides it.
 */
public final class NoModuleSupport implements ModuleLoader {
    @Override
    public int insert(String path, String options, boolean forceVermagic, boolean forceModversion) {
        return LinuxErrno.ENOSYS;
    }

    @Override
    public int remove(String module, boolean force) {
        return LinuxErrno.ENOSYS;
    }
}

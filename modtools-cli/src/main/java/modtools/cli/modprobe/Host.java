package modtools.cli.modprobe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import modtools.cli.linux.LinuxModuleLoader;
import modtools.deps.resolve.KernelState;
import modtools.deps.resolve.ModuleLoader;

/**
 * What modprobe reads from and acts on outside its arguments: the kernel command line
 * (module options and blacklists), the kernel's module state, the loader, and the
 * environment (MODPROBE_OPTIONS). Tests substitute each.
 */
public record Host(Path kernelCmdline, KernelState kernel, ModuleLoader loader, Map<String, String> environment) {

    public static Host linux(Map<String, String> environment) {
        return new Host(Path.of("/proc/cmdline"), SysfsKernelState.linux(), linuxLoader(), environment);
    }

    /**
     * The Linux backend wherever the kernel lists its modules in /proc/modules; a kernel
     * without that file has no module support, and is answered as such.
     */
    public static ModuleLoader linuxLoader() {
        if (!Files.exists(Path.of("/proc/modules"))) {
            return new NoModuleSupport();
        }
        return LinuxModuleLoader.forThisMachine().orElseGet(NoModuleSupport::new);
    }
}

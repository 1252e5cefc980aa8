package modtools.cli.modprobe;

import java.nio.file.Path;
import java.util.Map;
import modtools.deps.resolve.KernelState;
import modtools.elf.module.ZstdReading;
import modtools.deps.resolve.ModuleLoader;
import modtools.load.linux.LinuxModuleLoader;
import modtools.load.linux.SysfsKernelState;

/**
 * What modprobe reads from and acts on outside its arguments: the kernel command line
 * (module options and blacklists), the kernel's module state, the loader, and the
 * environment (MODPROBE_OPTIONS). Tests substitute each.
 */
public record Host(Path kernelCmdline, KernelState kernel, ModuleLoader loader, Map<String, String> environment) {

    public static Host linux(Map<String, String> environment, ZstdReading zstdReading) {
        return new Host(Path.of("/proc/cmdline"), SysfsKernelState.linux(), LinuxModuleLoader.forThisKernel(zstdReading),
                environment);
    }
}

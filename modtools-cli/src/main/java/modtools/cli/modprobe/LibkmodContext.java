package modtools.cli.modprobe;

import java.util.List;
import java.util.function.Consumer;
import modtools.cli.Invocation;
import modtools.deps.LibkmodMessage;
import modtools.deps.config.ConfigLoader;
import modtools.deps.resolve.ModuleIndexes;
import modtools.deps.resolve.Resolver;
import modtools.deps.resolve.Session;

/**
 * The context rmmod and lsmod open, as kmod's {@code kmod_new(NULL, &null_config)}: the
 * running kernel's module directory, no modprobe.d (the configuration list is empty), yet the
 * kernel command line and modules.softdep, which kmod_new reads regardless. Its session
 * answers what the kernel says about a module (built in, state, users, holders) with
 * libkmod's messages.
 */
public final class LibkmodContext {
    private LibkmodContext() {}

    /**
     * @param early where the configuration's messages go: libkmod prints them itself, as the
     *              tools set up their logging only after kmod_new
     * @param log   where libkmod's later messages go
     */
    public static Session open(Invocation inv, Host host, Consumer<LibkmodMessage> early,
                               Consumer<LibkmodMessage> log) {
        String directory = "/lib/modules/" + inv.kernelRelease();
        ConfigLoader.Loaded config = ConfigLoader.load(inv.level(), directory, List.of(), host.kernelCmdline(),
                inv.cwd(), inv.cache());
        config.messages().forEach(early);
        Resolver resolver = new Resolver(inv.level(), config.config(), ModuleIndexes.load(directory, inv.cache()), host.kernel(),
                host.loader(), new ShellCommands(host.environment(), inv.cwd(), inv.out(), inv.err()), log);
        return resolver.session();
    }
}

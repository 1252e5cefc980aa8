package modtools.deps.resolve;

import java.util.List;
import java.util.function.Consumer;
import modtools.deps.LibkmodMessage;

/**
 * kmod_module_probe_insert_module: loads a module with its dependencies and soft
 * dependencies, skipping what the kernel already has, honouring the blacklist and running
 * install commands in place of loading. The order and the options are decided first
 * ({@link ProbePlanner}); the kernel is asked about each module just before its turn.
 */
public final class Prober {
    /**
     * How to probe. {@code ignoreLoaded}: do not ask the kernel what it has;
     * {@code failOnLoaded}: a module already loaded is an error; {@code applyBlacklist}:
     * refuse a blacklisted module even when asked for by name (by alias it is always refused).
     */
    public record Flags(boolean ignoreCommands, boolean ignoreLoaded, boolean dryRun, boolean failOnLoaded,
                        boolean applyBlacklist, boolean forceVermagic, boolean forceModversion) {}

    /** How a probe ended. */
    public sealed interface Outcome permits Done, Blacklisted, Failed {}

    /** Loaded, or nothing to do. */
    public record Done() implements Outcome {}

    /** Refused by the blacklist. */
    public record Blacklisted() implements Outcome {}

    /** Stopped by a required module's failure (or, with failOnLoaded, the module already loaded). */
    public record Failed(int errno) implements Outcome {}

    private final Session session;
    private final Flags flags;
    private final Consumer<ProbeStep> show;

    /** {@code show} sees each step just before it is carried out (modprobe -v and -D print them). */
    public Prober(Session session, Flags flags, Consumer<ProbeStep> show) {
        this.session = session;
        this.flags = flags;
        this.show = show;
    }

    public Outcome probe(Module module, String extraOptions) {
        if (!flags.ignoreLoaded() && session.isInKernel(module)) {
            return flags.failOnLoaded() ? new Failed(LinuxErrno.EEXIST) : new Done();
        }
        if ((module.alias().isPresent() || flags.applyBlacklist()) && session.isBlacklisted(module)) {
            return new Blacklisted();
        }
        List<ProbeStep> steps = ProbePlanner.plan(session, module, flags.ignoreCommands(), extraOptions);
        int errno = 0;
        for (ProbeStep step : steps) {
            Module m = step.module();
            if (!flags.ignoreLoaded() && session.isInKernel(m)) {
                errno = LinuxErrno.EEXIST;
            } else {
                show.accept(step);
                if (!flags.dryRun()) {
                    errno = carryOut(step);
                }
            }
            if (errno == LinuxErrno.EEXIST && m == module && flags.failOnLoaded()) {
                break;
            }
            // softdeps may fail, and so may modules that turn out to be loaded already
            if (errno == LinuxErrno.EEXIST || !step.required()) {
                errno = 0;
            } else if (errno != 0) {
                break;
            }
        }
        return errno == 0 ? new Done() : new Failed(errno);
    }

    private int carryOut(ProbeStep step) {
        Module m = step.module();
        if (step.action() instanceof ProbeStep.RunInstall install) {
            return runInstall(m, install.expanded());
        }
        return insert(m, (ProbeStep.Insert) step.action());
    }

    private int insert(Module m, ProbeStep.Insert insert) {
        if (insert.path().isEmpty()) {
            log(895, "kmod_module_insert_module", "could not find module by name='" + m.name() + "'");
            return LinuxErrno.ENOENT;
        }
        Insertion result = session.resolver().loader().insert(insert.path().get(), insert.options(),
                flags.forceVermagic(), flags.forceModversion());
        if (result instanceof Insertion.Undecodable u && session.resolver().level().logsDecoderFailures()) {
            LibkmodMessage.of(u.error()).ifPresent(session.resolver().log());
        }
        return result.errno();
    }

    /** libkmod's command_do: any failure of the command is EINVAL to the caller. */
    private int runInstall(Module m, String command) {
        int status = session.resolver().commands().run(command, m.name());
        if (status < 0) {
            log(1041, "command_do", "Could not run install command '" + command + "' for module " + m.name()
                    + ": " + LinuxErrno.strerror(LinuxErrno.ENOENT));
            return LinuxErrno.EINVAL;
        }
        if (status != 0) {
            log(1047, "command_do", "Error running install command '" + command + "' for module " + m.name()
                    + ": retcode " + status);
            return LinuxErrno.EINVAL;
        }
        return 0;
    }

    private void log(int line, String function, String text) {
        session.resolver().log().accept(LibkmodMessage.error("libkmod-module.c", line, function, text));
    }
}

package modtools.cli.modprobe;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import modtools.deps.resolve.InitState;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.Module;
import modtools.deps.resolve.Resolver;
import modtools.deps.resolve.Session;
import modtools.deps.resolve.Softdeps;

/**
 * modprobe -r, as kmod's rmmod_do_module: post-softdeps first, then holders (if asked),
 * the module itself (or its remove command), then each dependency the kernel reports
 * unused, then pre-softdeps — each softdep list in reverse. What is loaded and used comes
 * from the kernel's state at each step; -D and -n only show the steps.
 *
 * @param logPriority    the priority of "not found" and similar notices: FATAL, or WARNING with -a
 * @param ignoreLoaded   -D: do not ask whether the module is loaded or used
 * @param waitMsec       -w: keep retrying a busy module this long
 */
record Removal(Resolver resolver, ModprobeLog log, Show show, int logPriority, boolean ignoreCommands,
               boolean ignoreLoaded, boolean dryRun, boolean firstTime, boolean force, boolean removeHolders,
               long waitMsec) {

    /** Prints the steps modprobe shows (with -v, -n and -D). */
    interface Show {
        void step(ShownStep step);
    }

    private static final int IGNORE_BUILTIN = 2;
    private static final int REMOVE_HOLDERS = 1;

    /** Every name in turn; the result is the last failure, 0 if none. */
    int removeAll(List<String> names) {
        int result = 0;
        for (String name : names) {
            int r = remove(name);
            if (r < 0) {
                result = r;
            }
        }
        return result;
    }

    private int remove(String name) {
        Session session = resolver.session();
        Optional<List<Module>> found = session.lookup(name);
        if (found.isEmpty()) {
            return -LinuxErrno.EINVAL;
        }
        int err = 0;
        if (found.get().isEmpty()) {
            log.log(logPriority, "Module " + name + " not found.");
            err = -LinuxErrno.ENOENT;
        }
        for (Module module : found.get()) {
            err = removeModule(session, module, removeHolders ? REMOVE_HOLDERS : 0);
            if (err < 0) {
                break;
            }
        }
        return err;
    }

    private int removeModule(Session session, Module module, int flags) {
        Softdeps softdeps = new Softdeps(List.of(), List.of());
        Optional<String> command = Optional.empty();
        if (!ignoreCommands) {
            softdeps = session.softdeps(module);
            command = session.removeCommand(module);
        }
        if (command.isEmpty() && !ignoreLoaded) {
            Optional<InitState> state = session.initstate(module);
            if (state.isEmpty()) {
                if (firstTime) {
                    log.log(logPriority, "Module " + module.name() + " is not in kernel.");
                    return -LinuxErrno.ENOENT;
                }
                return 0;
            }
            if (state.get() == InitState.BUILTIN) {
                if ((flags & IGNORE_BUILTIN) != 0) {
                    return 0;
                }
                log.log(logPriority, "Module " + module.name() + " is builtin.");
                return -LinuxErrno.ENOENT;
            }
        }
        removeEach(session, softdeps.post(), false);
        if ((flags & REMOVE_HOLDERS) != 0) {
            int err = removeEach(session, session.holders(module).orElse(List.of()), true);
            if (err < 0) {
                return err;
            }
        }
        if (command.isEmpty() && !ignoreLoaded && waitMsec == 0) {
            OptionalInt usage = session.refcnt(module);
            if (usage.isPresent() && usage.getAsInt() > 0) {
                log.log(logPriority, "Module " + module.name() + " is in use.");
                return -LinuxErrno.EBUSY;
            }
        }
        int err = command.isEmpty() ? unload(session, module) : runCommand(module, command.get());
        if (err < 0) {
            return err;
        }
        if (command.isEmpty()) {
            // dependencies nobody uses any more go too; failures here do not matter
            for (Module dependency : session.dependencies(module)) {
                OptionalInt usage = session.refcnt(dependency);
                if (usage.isPresent() && usage.getAsInt() == 0) {
                    unload(session, dependency);
                }
            }
        }
        removeEach(session, softdeps.pre(), false);
        return err;
    }

    /** Softdeps and holders, last first; builtin ones are quietly skipped. */
    private int removeEach(Session session, List<Module> modules, boolean stopOnError) {
        for (int i = modules.size() - 1; i >= 0; i--) {
            int r = removeModule(session, modules.get(i), IGNORE_BUILTIN);
            if (r < 0 && stopOnError) {
                return r;
            }
        }
        return 0;
    }

    /** rmmod_do_remove_module: unload, retrying a busy module while -w allows. */
    private int unload(Session session, Module module) {
        show.step(ShownStep.rmmod(module.name()));
        if (dryRun) {
            return 0;
        }
        long deadline = System.currentTimeMillis() + waitMsec;
        long interval = 1;
        int errno;
        while (true) {
            errno = session.remove(module, force, waitMsec != 0);
            if (errno == LinuxErrno.EEXIST) {
                if (!firstTime) {
                    errno = 0;
                } else {
                    log.log(logPriority, "Module " + module.name() + " is not in kernel.");
                }
                break;
            }
            long left = deadline - System.currentTimeMillis();
            if (errno != LinuxErrno.EAGAIN || waitMsec == 0 || left <= 0) {
                break;
            }
            sleep(Math.min(interval, left));
            interval *= 2;
        }
        if (errno != 0 && waitMsec != 0) {
            log.error("could not remove '" + module.name() + "': " + LinuxErrno.strerror(errno));
        }
        return -errno;
    }

    /** modprobe's own command_do, for remove commands (there are no options to pass). */
    private int runCommand(Module module, String command) {
        String expanded = command.replace("$CMDLINE_OPTS", "");
        show.step(ShownStep.remove(module.name(), expanded));
        if (dryRun) {
            return 0;
        }
        int status = resolver.commands().run(expanded, module.name());
        if (status != 0) {
            log.log(logPriority, "Error running remove command for " + module.name());
            return status == -1 ? -1 : -status;
        }
        return 0;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package modtools.deps.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.deps.index.Fnmatch;

/**
 * The effective modprobe.d configuration, each directive kind in the order kmod met it
 * (files sorted by name, then the kernel command line). The queries answer as libkmod's do:
 * which directive applies to a module is sometimes decided by exact name and sometimes by
 * fnmatch, and for commands and softdeps the first match wins.
 */
public record ModprobeConfig(List<String> blacklist, List<ModuleCommand> install, List<ModuleCommand> remove,
                             List<Alias> aliases, List<ModuleOptions> options, List<Softdep> softdeps,
                             List<Weakdep> weakdeps) {

    public ModprobeConfig {
        blacklist = List.copyOf(blacklist);
        install = List.copyOf(install);
        remove = List.copyOf(remove);
        aliases = List.copyOf(aliases);
        options = List.copyOf(options);
        softdeps = List.copyOf(softdeps);
        weakdeps = List.copyOf(weakdeps);
    }

    /** Aliases whose pattern matches the name, in configuration order (all of them apply). */
    public List<Alias> aliasesMatching(String name) {
        return aliases.stream().filter(a -> Fnmatch.matches(a.pattern(), name)).toList();
    }

    public boolean isBlacklisted(String module) {
        return blacklist.contains(module);
    }

    /**
     * The options for a module, joined by single spaces: lines naming the module or the alias
     * it was found by (empty options are skipped). Empty when no line applies.
     */
    public Optional<String> optionsFor(String module, String alias) {
        List<String> parts = new ArrayList<>();
        for (ModuleOptions o : options) {
            if ((o.module().equals(module) || o.module().equals(alias)) && !o.options().isEmpty()) {
                parts.add(o.options());
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", parts));
    }

    /** The first install command whose pattern matches the module name. */
    public Optional<String> installCommandFor(String module) {
        return firstMatching(install, module);
    }

    /** The first remove command whose pattern matches the module name. */
    public Optional<String> removeCommandFor(String module) {
        return firstMatching(remove, module);
    }

    /**
     * The first install command written for exactly this name: how libkmod finds a module
     * that only an install command knows.
     */
    public Optional<String> installCommandNamed(String name) {
        return install.stream().filter(c -> c.module().equals(name)).map(ModuleCommand::command).findFirst();
    }

    /** The first remove command written for exactly this name. */
    public Optional<String> removeCommandNamed(String name) {
        return remove.stream().filter(c -> c.module().equals(name)).map(ModuleCommand::command).findFirst();
    }

    /** The first softdep whose pattern matches the module name; later matching lines are ignored. */
    public Optional<Softdep> softdepFor(String module) {
        return softdeps.stream().filter(s -> Fnmatch.matches(s.pattern(), module)).findFirst();
    }

    private static Optional<String> firstMatching(List<ModuleCommand> commands, String module) {
        return commands.stream().filter(c -> Fnmatch.matches(c.module(), module)).map(ModuleCommand::command)
                .findFirst();
    }

    /** Collects directives while the files and the command line are read. */
    static final class Builder {
        final List<String> blacklist = new ArrayList<>();
        final List<ModuleCommand> install = new ArrayList<>();
        final List<ModuleCommand> remove = new ArrayList<>();
        final List<Alias> aliases = new ArrayList<>();
        final List<ModuleOptions> options = new ArrayList<>();
        final List<Softdep> softdeps = new ArrayList<>();
        final List<Weakdep> weakdeps = new ArrayList<>();

        void options(String module, String text) {
            options.add(new ModuleOptions(module, text.replace('\t', ' ')));
        }

        ModprobeConfig build() {
            return new ModprobeConfig(blacklist, install, remove, aliases, options, softdeps, weakdeps);
        }
    }
}

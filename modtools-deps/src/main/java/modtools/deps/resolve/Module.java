package modtools.deps.resolve;

import java.util.List;
import java.util.Optional;

/**
 * A module as libkmod's resolver knows it: a name, and the alias it was found by, if any.
 * libkmod keeps one object per name-and-alias pair and caches facts in it as it learns
 * them; its probe order depends on marks left on those objects (visited, required, whether
 * its install command is ignored), so a {@link Session} hands out the same object for the
 * same pair and this class keeps that state. Two objects of one module name (found by
 * different aliases, or by name) are different modules to kmod's visit marks.
 */
public final class Module {
    enum Builtin { UNKNOWN, YES, NO }

    private final String name;
    private final String alias;

    String path;
    boolean dependenciesRead;
    List<Module> dependencies = List.of();
    Optional<String> options;
    Optional<String> installCommand;
    Optional<String> removeCommand;
    Builtin builtin = Builtin.UNKNOWN;
    boolean visited;
    boolean required;
    boolean ignoreCommand;

    Module(String name, String alias) {
        this.name = name;
        this.alias = alias;
    }

    /** The module name (normalised, unless an alias index spelled it otherwise). */
    public String name() {
        return name;
    }

    /** The alias this module was found by. */
    public Optional<String> alias() {
        return Optional.ofNullable(alias);
    }

    String aliasOrNull() {
        return alias;
    }

    @Override
    public String toString() {
        return alias == null ? name : name + "\\" + alias;
    }
}

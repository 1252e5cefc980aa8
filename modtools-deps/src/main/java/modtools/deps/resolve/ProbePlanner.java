package modtools.deps.resolve;

import java.util.ArrayList;
import java.util.List;

/**
 * The load order of one module, as kmod_module_get_probe_list builds it: each dependency
 * from modules.dep (farthest first) wrapped in its soft dependencies, then the module
 * wrapped in its own. Soft dependencies are visited as modules in their own right, once
 * each; dependencies are not marked, so a dependency reached again through a soft
 * dependency is listed again — kmod prints such modules twice, and so do we.
 */
final class ProbePlanner {
    private final Session session;
    private final List<Module> order = new ArrayList<>();

    private ProbePlanner(Session session) {
        this.session = session;
    }

    /**
     * The steps for a module; {@code ignoreCommands} (modprobe -i) keeps its install command
     * and softdeps out, {@code extraOptions} go to the module itself only.
     */
    static List<ProbeStep> plan(Session session, Module target, boolean ignoreCommands, String extraOptions) {
        for (Module m : session.modules()) {
            m.visited = false;
            m.required = false;
        }
        ProbePlanner planner = new ProbePlanner(session);
        planner.visit(target, true, ignoreCommands);
        // Marks are final only once the whole list is built; kmod reads them afterwards too.
        List<ProbeStep> steps = new ArrayList<>();
        for (Module m : planner.order) {
            steps.add(new ProbeStep(m, m.required, planner.action(m, m == target ? extraOptions : "")));
        }
        return steps;
    }

    private void visit(Module module, boolean required, boolean ignoreCommands) {
        if (module.visited) {
            return;
        }
        module.visited = true;
        List<Module> dependencies = session.dependencies(module);
        if (required) {
            // before softdeps may reach them: these must load, softdeps may fail
            module.required = true;
            dependencies.forEach(d -> d.required = true);
        }
        for (Module dependency : dependencies) {
            withSoftdeps(dependency);
        }
        if (ignoreCommands) {
            order.add(module);
            module.ignoreCommand = true;
        } else {
            withSoftdeps(module);
        }
    }

    private void withSoftdeps(Module module) {
        Softdeps softdeps = session.softdeps(module);
        for (Module pre : softdeps.pre()) {
            visit(pre, false, false);
        }
        order.add(module);
        // a module with softdeps is loaded, not replaced by its install command
        module.ignoreCommand = !softdeps.isEmpty();
        for (Module post : softdeps.post()) {
            visit(post, false, false);
        }
    }

    private ProbeStep.Action action(Module module, String extraOptions) {
        String options = joinOptions(session.options(module).orElse(null), extraOptions);
        var install = session.installCommand(module);
        if (install.isPresent() && !module.ignoreCommand) {
            return new ProbeStep.RunInstall(install.get(), options);
        }
        return new ProbeStep.Insert(session.path(module), session.isBuiltin(module), options);
    }

    /** module_options_concat: configured options, a space, then the extra ones. */
    private static String joinOptions(String configured, String extra) {
        if (configured == null) {
            return extra;
        }
        return configured + " " + extra;
    }
}

package modtools.deps.depmod;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;

/**
 * Names the dependency cycles left after the topological sort, in kmod's words and order:
 * a depth-first walk from each remaining module, in module order, that reports every path
 * leading back to where it started.
 */
final class CycleReport {
    /** A step of the walk: a module and the step it was reached from. */
    private record Vertex(DepmodModule module, Vertex parent) {
        /** Whether the module already occurs on the path to this step (kmod would walk that loop forever). */
        boolean onPath(DepmodModule m) {
            for (Vertex v = this; v != null; v = v.parent) {
                if (v.module == m) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<DepmodModule> modules;
    private final DepmodLog log;

    CycleReport(List<DepmodModule> modules, DepmodLog log) {
        this.modules = modules;
        this.log = log;
    }

    /** {@code users}: what the sort left of each module's user count; non-zero means unsorted. */
    void report(int[] users) {
        LinkedList<DepmodModule> roots = new LinkedList<>();
        for (int i = 0; i < modules.size(); i++) {
            if (users[i] > 0) {
                roots.add(modules.get(i));
            }
        }
        Set<String> inCycles = new HashSet<>();
        while (!roots.isEmpty()) {
            walkFrom(roots.removeFirst(), roots, inCycles);
        }
        log.error("Found " + inCycles.size() + " modules in dependency cycles!");
    }

    private void walkFrom(DepmodModule root, List<DepmodModule> roots, Set<String> inCycles) {
        Deque<Vertex> stack = new ArrayDeque<>();
        stack.push(new Vertex(root, null));
        while (!stack.isEmpty()) {
            Vertex vertex = stack.pop();
            DepmodModule m = vertex.module();
            if (m.visited && m == root) {
                reportOne(vertex, roots, inCycles);
                continue;
            }
            m.visited = true;
            if (m.deps.isEmpty()) {
                // A leaf reached twice would look like a loop back to it; never start from it.
                roots.remove(m);
                continue;
            }
            for (DepmodModule dep : m.deps) {
                if (dep == root || !vertex.onPath(dep)) {
                    stack.push(new Vertex(dep, vertex));
                }
            }
        }
    }

    private void reportOne(Vertex end, List<DepmodModule> roots, Set<String> inCycles) {
        Deque<DepmodModule> path = new ArrayDeque<>();
        for (Vertex v = end.parent(); v != null; v = v.parent()) {
            path.push(v.module());
            inCycles.add(v.module().name);
        }
        StringBuilder line = new StringBuilder("Cycle detected: ");
        for (DepmodModule m : path) {
            line.append(m.name).append(" -> ");
            roots.remove(m);
        }
        log.error(line.append(end.module().name).toString());
    }
}

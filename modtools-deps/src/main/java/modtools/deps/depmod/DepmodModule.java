package modtools.deps.depmod;

import java.util.ArrayList;
import java.util.List;

/** A module in depmod's graph: where it lives, what it says, and whom it depends on. */
final class DepmodModule {
    final String name;
    final String path;
    /** Path relative to the module directory, or null for modules outside it (external dirs). */
    final String relpath;
    ModuleFacts facts;
    final List<DepmodModule> deps = new ArrayList<>(4);
    int users;
    int index;
    /** Position in the topological order; unsorted modules (in a cycle) stay at the end. */
    int depSortIndex = Integer.MAX_VALUE;
    int sortIndex = 1;
    boolean visited;

    DepmodModule(String name, String path, String relpath) {
        this.name = name;
        this.path = path;
        this.relpath = relpath;
    }

    /** The path modules.dep prints: relative when possible. */
    String shownPath() {
        return relpath != null ? relpath : path;
    }

    /**
     * The path modules.order names this module by: kmod cuts the relative path after the
     * module name plus ".ko", which drops a compression suffix.
     */
    String orderPath() {
        if (relpath == null) {
            return null;
        }
        int dir = relpath.lastIndexOf('/');
        int end = dir + 1 + name.length() + 3;
        return end <= relpath.length() ? relpath.substring(0, end) : relpath;
    }

    void addDependency(DepmodModule owner) {
        for (DepmodModule d : deps) {
            if (d == owner) {
                return;
            }
        }
        deps.add(owner);
        owner.users++;
    }
}

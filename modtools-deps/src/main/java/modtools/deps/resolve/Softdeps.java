package modtools.deps.resolve;

import java.util.List;

/** A module's soft dependencies, resolved: modules to load before it and after it. */
public record Softdeps(List<Module> pre, List<Module> post) {
    public boolean isEmpty() {
        return pre.isEmpty() && post.isEmpty();
    }
}

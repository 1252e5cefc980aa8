package modtools.load;

import java.util.List;

/**
 * A backend that loads several relocatable objects as one module (docs/loader.md): references
 * among them resolve in any direction, each object's init runs in order and its exit in
 * reverse. Answers 0 or the errno of the failure, as {@link modtools.deps.resolve.ModuleLoader}.
 */
public interface ObjectLoader {
    int insertObjects(List<String> paths, String options, boolean force);
}

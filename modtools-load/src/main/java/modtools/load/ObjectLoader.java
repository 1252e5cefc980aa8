package modtools.load;

import java.util.List;
import modtools.deps.resolve.Insertion;

/**
 * A backend that loads several relocatable objects as one module (docs/loader.md): references
 * among them resolve in any direction, each object's init runs in order and its exit in
 * reverse. Answers as {@link modtools.deps.resolve.ModuleLoader} does.
 */
public interface ObjectLoader {
    Insertion insertObjects(List<String> paths, String options, boolean force);
}

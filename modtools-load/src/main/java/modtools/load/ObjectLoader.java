package modtools.load;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import modtools.deps.resolve.Insertion;

/**
 * A backend whose loader is a process of user space (modfs, docs/loader.md): it loads several
 * relocatable objects as one module (references among them resolve in any direction, each
 * object's init runs in order and its exit in reverse), and it may give up waiting for the
 * module's init. Answers as {@link modtools.deps.resolve.ModuleLoader} does.
 */
public interface ObjectLoader {
    /**
     * With {@code initTimeout}, a load still waiting for the module's init after that long
     * answers ETIME and leaves the module as a killed loader would, initializing; the write
     * that waits ends with the process.
     */
    Insertion insertObjects(List<String> paths, String options, boolean force, Optional<Duration> initTimeout);
}

package modtools.deps.resolve;

/**
 * The two operations that change the kernel: the backend that really loads and unloads
 * modules. A load answers an {@link Insertion}; a removal 0 or the (positive) errno of the
 * failure.
 */
public interface ModuleLoader {
    Insertion insert(String path, String options, boolean forceVermagic, boolean forceModversion);

    int remove(String module, boolean force);
}

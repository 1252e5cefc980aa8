package modtools.deps.resolve;

/** Where a module stands in the kernel, as kmod_module_get_initstate reports it. */
public enum InitState {
    BUILTIN, LIVE, COMING, GOING
}

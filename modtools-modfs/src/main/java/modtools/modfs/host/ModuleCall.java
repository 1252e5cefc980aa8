package modtools.modfs.host;

/** How a call into module code ended: it returned, or it faulted and the host took the call back. */
public sealed interface ModuleCall {
    record Returned(int value) implements ModuleCall {}

    record Faulted(Fault fault) implements ModuleCall {}
}

package modtools.modfs.fs;

/**
 * Everything that has a node id. The kernel holds references to nodes it has looked up and
 * drops them with FORGET; a node removed from the tree stays known by its id until then.
 */
abstract sealed class Node permits Directory, ControlFile, InfoFile, ModuleFile, HostFile {
    final long id;
    long lookups;
    /** False once removed from the tree. */
    boolean attached = true;

    Node(long id) {
        this.id = id;
    }
}

package modtools.modfs.fs;

import java.util.LinkedHashMap;
import java.util.Map;

/** The root, or a module's directory. Children keep their creation order, which readdir shows. */
final class Directory extends Node {
    final String name;
    /** Null for the root. */
    final Directory parent;
    final Map<String, Node> children = new LinkedHashMap<>();

    Directory(long id, String name, Directory parent) {
        super(id);
        this.name = name;
        this.parent = parent;
    }

    boolean isRoot() {
        return parent == null;
    }
}

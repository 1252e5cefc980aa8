package modtools.load.modfs;

import java.util.List;

/**
 * One module as lsmod lists it over modfs: its name, the size of its module file (0 before the
 * loader made one), the modules whose info lists it as a dependency, by name, and the objects
 * it was linked from (none before its info is written).
 */
public record ListedModule(String name, long size, List<String> holders, List<String> objects) {}

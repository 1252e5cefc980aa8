package modtools.cli.modinfo;

/** A module modinfo reports on: a file, or a module built into the kernel. */
sealed interface Target {
    String name();

    record File(String name, String path) implements Target {}

    record Builtin(String name) implements Target {}
}

package modtools.modfs.fs;

/** A module directory's {@code control}: commands in, the state of its module files out. */
final class ControlFile extends Node {
    final Directory dir;

    ControlFile(long id, Directory dir) {
        super(id);
        this.dir = dir;
    }
}

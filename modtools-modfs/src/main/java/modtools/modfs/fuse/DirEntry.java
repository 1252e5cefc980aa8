package modtools.modfs.fuse;

/** One name in a directory listing. */
public record DirEntry(String name, long ino, boolean directory) {}

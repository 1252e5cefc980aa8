package modtools.modfs.fuse;

/**
 * What stat(2) shows for a node. The node id doubles as the inode number. All times are the
 * mount time: nothing in modfs is worth a timestamp of its own, and tools comparing times
 * (make, rsync) have no business here.
 */
public record Attr(long ino, int mode, int nlink, long size, int uid, int gid) {
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;

    public boolean isDirectory() {
        return (mode & 0170000) == S_IFDIR;
    }
}

package modtools.modfs.fuse;

/** The user that mounted a filesystem: the files are theirs, and only they and root may change them. */
public record Owner(int uid, int gid) {
    public static Owner ofProcess() {
        return new Owner(Libc.getuid(), Libc.getgid());
    }

    public boolean mayChange(Caller caller) {
        return caller.uid() == 0 || caller.uid() == uid;
    }
}

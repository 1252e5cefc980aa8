package modtools.modfs.fuse;

/** Who made a request: the kernel passes the calling thread's filesystem uid and gid and its pid. */
public record Caller(int uid, int gid, int pid) {}

package modtools.modfs.fuse;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The operations a filesystem answers, in Java terms: node ids, names and byte buffers in,
 * {@link Outcome}s out. {@link FuseSession} turns requests into calls and outcomes into replies.
 * Every call but {@link #write} completes before it returns; a write may complete later on
 * another thread, so a filesystem can run something slow without stalling other requests.
 */
public interface FuseFilesystem {
    long ROOT = 1;

    Outcome<Attr> lookup(long parent, String name);

    /** The kernel dropped {@code count} of the references that lookups handed out. */
    void forget(long node, long count);

    Outcome<Attr> getattr(long node);

    Outcome<Attr> setattr(Caller caller, long node, SetAttr change);

    Outcome<Attr> mkdir(Caller caller, long parent, String name);

    /** A regular file; {@code exclusive} when the caller insists on creating it (O_EXCL). */
    Outcome<Attr> create(Caller caller, long parent, String name, boolean exclusive);

    Outcome<Void> unlink(Caller caller, long parent, String name);

    Outcome<Void> rmdir(Caller caller, long parent, String name);

    Outcome<Void> open(Caller caller, long node, boolean forWriting);

    /** {@code caller} decides what a read shows: addresses only to those who may change the mount. */
    Outcome<byte[]> read(Caller caller, long node, long offset, int size);

    /**
     * Writes {@code data}, which is only valid until this method returns, and completes with
     * the number of bytes written.
     */
    CompletionStage<Outcome<Integer>> write(Caller caller, long node, long offset, ByteBuffer data);

    Outcome<List<DirEntry>> readdir(long node);

    /**
     * Whether {@code caller} may take flock(2) locks, on any file of the mount: a lock held
     * blocks others, so whoever may not change the mount may not lock it. Asked of every lock
     * request but an unlock, whether or not the file is still in the tree (a locked file may be
     * removed under its holder).
     */
    Outcome<Void> mayLock(Caller caller);
}

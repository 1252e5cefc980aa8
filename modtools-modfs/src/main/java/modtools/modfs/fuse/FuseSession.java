package modtools.modfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The FUSE kernel protocol (include/uapi/linux/fuse.h, protocol 7.31) spoken over a
 * {@link FuseDevice}: one thread reads requests, calls the {@link FuseFilesystem} and writes the
 * replies. A write that completes later (a module's init) is answered by the thread that
 * completes it, so one slow request never holds up the others.
 *
 * <p>Choices that matter for modfs, all made here: every open file gets FOPEN_DIRECT_IO, so
 * reads always reach the filesystem and are never cut to a stale size (status files change
 * under the reader); entry and attribute timeouts are zero, so a state change is seen at once;
 * FUSE_FLOCK_LOCKS is asked for, so flock(2) comes to us as SETLK/SETLKW and the filesystem
 * decides who may lock ({@link FuseFilesystem#mayLock}): a lock blocks other processes, and the
 * kernel would grant one to anyone who can open a file for reading. The locks themselves are a
 * {@link FlockTable}'s; a SETLKW that must wait is answered when the lock is free, so a waiter
 * holds no thread. FUSE_POSIX_LOCKS is not asked for: fcntl locks stay the kernel's, and they
 * never conflict with flock's.
 */
public final class FuseSession {
    private static final int MAJOR = 7;
    private static final int MINOR = 31;
    private static final int FUSE_BIG_WRITES = 1 << 5;
    private static final int FUSE_FLOCK_LOCKS = 1 << 10;
    private static final int FUSE_MAX_PAGES = 1 << 22;
    private static final int FOPEN_DIRECT_IO = 1;
    private static final int IN_HEADER = 40;
    private static final int OUT_HEADER = 16;
    private static final int ATTR_SIZE = 88;
    private static final int ENTRY_OUT = 40 + ATTR_SIZE;
    private static final int OPEN_OUT = 16;
    private static final int FATTR_MODE = 1;
    private static final int FATTR_UID = 2;
    private static final int FATTR_GID = 4;
    private static final int FATTR_SIZE = 8;
    private static final int O_ACCMODE = 3;
    private static final int O_EXCL = 0200;
    private static final int DT_DIR = 4;
    private static final int DT_REG = 8;
    private static final int BLOCK = 4096;
    private static final int FUSE_LK_FLOCK = 1;
    private static final int FUSE_RELEASE_FLOCK_UNLOCK = 1 << 1;
    private static final int F_RDLCK = 0;
    private static final int F_WRLCK = 1;
    private static final int F_UNLCK = 2;
    /**
     * Background requests the kernel keeps in flight. A RELEASE is one, and it drops its
     * file's flock: past this many the kernel holds it back, and a lock request made after the
     * close could overtake it, so the bound is far above what modfs's clients ever have open.
     */
    private static final int MAX_BACKGROUND = 4096;

    private final FuseChannel device;
    private final FuseFilesystem fs;
    private final long mountTime = System.currentTimeMillis() / 1000;
    private final ByteBuffer in;
    private final ByteBuffer out;
    /**
     * Writes answered later (a module's init or exit still running), by request id. Whoever
     * removes an entry answers it: the thread that completes the write, or an interrupt.
     */
    private final Map<Long, Boolean> pending = new ConcurrentHashMap<>();
    /** flock(2) locks; only the reader thread touches them. */
    private final FlockTable locks = new FlockTable();

    public FuseSession(FuseChannel device, FuseFilesystem fs) {
        this.device = device;
        this.fs = fs;
        // The kernel refuses reads into a buffer smaller than the largest write request.
        this.in = ByteBuffer.allocateDirect(FuseDevice.MAX_WRITE + 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        this.out = ByteBuffer.allocateDirect(FuseDevice.MAX_WRITE + 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Serves requests until the filesystem is unmounted. */
    public void serve() {
        while (true) {
            in.clear();
            long n = device.read(in);
            if (n == -Errno.ENODEV) {
                return;
            }
            if (n < 0) {
                // ENOENT: the request was interrupted before we read it; EINTR, EAGAIN: try again.
                if (n == -Errno.ENOENT || n == -Errno.EINTR || n == -Errno.EAGAIN) {
                    continue;
                }
                throw new IllegalStateException("reading /dev/fuse: " + Errno.name((int) -n));
            }
            if (n < IN_HEADER) {
                continue;
            }
            in.limit((int) n);
            try {
                handle();
            } catch (IndexOutOfBoundsException e) {
                // A request shorter than its opcode's fixed part (found by fuzzing the decoder):
                // malformed, not a bug of ours.
                reply(out, in.getLong(8), Errno.EINVAL, 0);
            } catch (RuntimeException e) {
                // A bug of ours must cost one request, not the mount: the caller gets EIO.
                System.err.println("modfs: request " + in.getInt(4) + " failed: " + e);
                reply(out, in.getLong(8), Errno.EIO, 0);
            }
        }
    }

    private void handle() {
        int opcode = in.getInt(4);
        long unique = in.getLong(8);
        long node = in.getLong(16);
        Caller caller = new Caller(in.getInt(24), in.getInt(28), in.getInt(32));
        switch (opcode) {
            case Opcode.INIT -> init(unique);
            case Opcode.LOOKUP -> entry(unique, fs.lookup(node, name(IN_HEADER)), false);
            case Opcode.FORGET -> fs.forget(node, in.getLong(IN_HEADER));
            case Opcode.BATCH_FORGET -> batchForget();
            case Opcode.GETATTR -> attr(unique, fs.getattr(node));
            case Opcode.SETATTR -> attr(unique, fs.setattr(caller, node, setAttr()));
            case Opcode.MKNOD -> mknod(unique, caller, node);
            case Opcode.MKDIR -> entry(unique, fs.mkdir(caller, node, name(IN_HEADER + 8)), false);
            case Opcode.CREATE -> entry(unique, fs.create(caller, node, name(IN_HEADER + 16),
                    (in.getInt(IN_HEADER) & O_EXCL) != 0), true);
            case Opcode.UNLINK -> empty(unique, fs.unlink(caller, node, name(IN_HEADER)));
            case Opcode.RMDIR -> empty(unique, fs.rmdir(caller, node, name(IN_HEADER)));
            case Opcode.OPEN -> open(unique, fs.open(caller, node, (in.getInt(IN_HEADER) & O_ACCMODE) != 0));
            case Opcode.OPENDIR -> opendir(unique, node);
            case Opcode.READ -> read(unique, caller, node);
            case Opcode.WRITE -> write(unique, caller, node);
            case Opcode.READDIR -> readdir(unique, node);
            case Opcode.STATFS -> statfs(unique);
            case Opcode.SETLK, Opcode.SETLKW -> setlk(unique, caller, node, opcode == Opcode.SETLKW);
            case Opcode.RELEASE -> release(unique, node);
            case Opcode.RELEASEDIR, Opcode.FLUSH, Opcode.FSYNC, Opcode.FSYNCDIR, Opcode.DESTROY ->
                    reply(out, unique, 0, 0);
            case Opcode.INTERRUPT -> interrupt(in.getLong(IN_HEADER));
            default -> reply(out, unique, Errno.ENOSYS, 0);
        }
    }

    private void init(long unique) {
        int kernelFlags = in.getInt(IN_HEADER + 12);
        int maxReadahead = in.getInt(IN_HEADER + 8);
        ByteBuffer b = body(out);
        b.putInt(MAJOR).putInt(MINOR).putInt(maxReadahead)
                .putInt(kernelFlags & (FUSE_BIG_WRITES | FUSE_MAX_PAGES | FUSE_FLOCK_LOCKS));
        b.putShort((short) MAX_BACKGROUND).putShort((short) 12); // max_background, congestion_threshold
        b.putInt(FuseDevice.MAX_WRITE).putInt(1); // max_write, time_gran
        b.putShort((short) (FuseDevice.MAX_WRITE / 4096)).putShort((short) 0); // max_pages, map_alignment
        for (int i = 0; i < 8; i++) {
            b.putInt(0); // flags2, unused
        }
        reply(out, unique, 0, b.position() - OUT_HEADER);
    }

    private void batchForget() {
        int count = in.getInt(IN_HEADER);
        for (int i = 0, at = IN_HEADER + 8; i < count && at + 16 <= in.limit(); i++, at += 16) {
            fs.forget(in.getLong(at), in.getLong(at + 8));
        }
    }

    private SetAttr setAttr() {
        int valid = in.getInt(IN_HEADER);
        long size = -1;
        if ((valid & FATTR_SIZE) != 0) {
            // A u64 past Long.MAX_VALUE is still a size, and far too big for any file here.
            size = in.getLong(IN_HEADER + 16) < 0 ? Long.MAX_VALUE : in.getLong(IN_HEADER + 16);
        }
        return new SetAttr(size, (valid & FATTR_MODE) != 0, (valid & (FATTR_UID | FATTR_GID)) != 0);
    }

    private void mknod(long unique, Caller caller, long node) {
        int mode = in.getInt(IN_HEADER);
        if ((mode & 0170000) != Attr.S_IFREG) {
            reply(out, unique, Errno.EPERM, 0);
            return;
        }
        entry(unique, fs.create(caller, node, name(IN_HEADER + 16), true), false);
    }

    private void open(long unique, Outcome<Void> outcome) {
        if (outcome instanceof Outcome.Failed<Void> f) {
            reply(out, unique, f.errno(), 0);
            return;
        }
        ByteBuffer b = body(out);
        putOpenOut(b, FOPEN_DIRECT_IO);
        reply(out, unique, 0, OPEN_OUT);
    }

    private void opendir(long unique, long node) {
        Outcome<Attr> attr = fs.getattr(node);
        if (attr instanceof Outcome.Failed<Attr> f) {
            reply(out, unique, f.errno(), 0);
        } else if (!((Outcome.Done<Attr>) attr).value().isDirectory()) {
            reply(out, unique, Errno.ENOTDIR, 0);
        } else {
            putOpenOut(body(out), 0);
            reply(out, unique, 0, OPEN_OUT);
        }
    }

    private void read(long unique, Caller caller, long node) {
        long offset = in.getLong(IN_HEADER + 8);
        int size = Math.min(in.getInt(IN_HEADER + 16), FuseDevice.MAX_WRITE);
        Outcome<byte[]> outcome = fs.read(caller, node, offset, size);
        if (outcome instanceof Outcome.Failed<byte[]> f) {
            reply(out, unique, f.errno(), 0);
            return;
        }
        byte[] data = ((Outcome.Done<byte[]>) outcome).value();
        int length = Math.min(data.length, size);
        body(out).put(data, 0, length);
        reply(out, unique, 0, length);
    }

    private void write(long unique, Caller caller, long node) {
        long offset = in.getLong(IN_HEADER + 8);
        int size = in.getInt(IN_HEADER + 16);
        int dataAt = IN_HEADER + 40;
        if (size < 0 || dataAt + (long) size > in.limit()) {
            reply(out, unique, Errno.EINVAL, 0);
            return;
        }
        ByteBuffer data = in.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(dataAt).limit(dataAt + size).slice();
        CompletableFuture<Outcome<Integer>> result = fs.write(caller, node, offset, data).toCompletableFuture();
        if (result.isDone()) {
            writeReply(out, unique, result.join());
        } else {
            // Completed by another thread, which needs a buffer of its own.
            pending.put(unique, Boolean.TRUE);
            result.thenAccept(outcome -> {
                if (pending.remove(unique) != null) {
                    writeReply(ByteBuffer.allocateDirect(OUT_HEADER + 8).order(ByteOrder.LITTLE_ENDIAN), unique, outcome);
                }
            });
        }
    }

    /**
     * flock(2) on an open file (fuse_lk_in: fh, owner, lk {start, end, type, pid}, lk_flags).
     * The owner is the open file description, as flock's locks belong to it; an unlock is
     * everyone's right, a lock only the filesystem's choice of callers'. A SETLKW that conflicts
     * is answered later, when an unlock or a release lets it in, or by an interrupt.
     */
    private void setlk(long unique, Caller caller, long node, boolean wait) {
        long owner = in.getLong(IN_HEADER + 8);
        int type = in.getInt(IN_HEADER + 32);
        if ((in.getInt(IN_HEADER + 40) & FUSE_LK_FLOCK) == 0) {
            // POSIX locks are never asked for; the kernel keeps them.
            reply(out, unique, Errno.ENOSYS, 0);
            return;
        }
        if (type == F_UNLCK) {
            reply(out, unique, 0, 0);
            grant(locks.unlock(node, owner));
            return;
        }
        if (type != F_RDLCK && type != F_WRLCK) {
            reply(out, unique, Errno.EINVAL, 0);
            return;
        }
        if (fs.mayLock(caller) instanceof Outcome.Failed<Void> f) {
            reply(out, unique, f.errno(), 0);
            return;
        }
        FlockTable.Answer answer = locks.lock(node, owner, type == F_WRLCK, unique, wait);
        switch (answer.status()) {
            case GRANTED -> reply(out, unique, 0, 0);
            case WOULD_BLOCK -> reply(out, unique, Errno.EAGAIN, 0);
            case QUEUED -> { }
        }
        grant(answer.granted());
    }

    /** The last descriptor of an open file closed (its process may have died): its flock goes. */
    private void release(long unique, long node) {
        int releaseFlags = in.getInt(IN_HEADER + 12);
        long owner = in.getLong(IN_HEADER + 16);
        reply(out, unique, 0, 0);
        if ((releaseFlags & FUSE_RELEASE_FLOCK_UNLOCK) != 0) {
            grant(locks.unlock(node, owner));
        }
    }

    /** Answers the waiting SETLKW requests that got their lock. */
    private void grant(List<Long> requests) {
        for (long request : requests) {
            reply(out, request, 0, 0);
        }
    }

    /**
     * The caller of request {@code unique} got a signal (the kernel sends FUSE_INTERRUPT for
     * SIGKILL too): a write still waiting for a module's code is answered EINTR now, so the
     * caller's system call ends and the process can go, instead of waiting in D state for an
     * init that may never return. What it started goes on: the module stays initializing.
     * A SETLKW still waiting for its lock stops waiting and is answered EINTR too (the kernel
     * restarts the flock, or the signal ends the process). Anything else was answered already,
     * and an interrupt gets no reply of its own.
     */
    private void interrupt(long unique) {
        if (pending.remove(unique) != null || locks.cancel(unique)) {
            reply(out, unique, Errno.EINTR, 0);
        }
    }

    private void writeReply(ByteBuffer buffer, long unique, Outcome<Integer> outcome) {
        if (outcome instanceof Outcome.Failed<Integer> f) {
            reply(buffer, unique, f.errno(), 0);
            return;
        }
        body(buffer).putInt(((Outcome.Done<Integer>) outcome).value()).putInt(0);
        reply(buffer, unique, 0, 8);
    }

    /** fuse_dirent records from the entry at index {@code offset}, as many as fit. */
    private void readdir(long unique, long node) {
        long offset = in.getLong(IN_HEADER + 8);
        int size = Math.min(in.getInt(IN_HEADER + 16), FuseDevice.MAX_WRITE);
        Outcome<List<DirEntry>> outcome = fs.readdir(node);
        if (outcome instanceof Outcome.Failed<List<DirEntry>> f) {
            reply(out, unique, f.errno(), 0);
            return;
        }
        List<DirEntry> entries = ((Outcome.Done<List<DirEntry>>) outcome).value();
        ByteBuffer b = body(out);
        for (long i = Math.max(offset, 0); i < entries.size(); i++) {
            DirEntry e = entries.get((int) i);
            byte[] name = e.name().getBytes(StandardCharsets.ISO_8859_1);
            int record = (24 + name.length + 7) & ~7;
            if (b.position() - OUT_HEADER + record > size) {
                break;
            }
            int start = b.position();
            b.putLong(e.ino()).putLong(i + 1).putInt(name.length).putInt(e.directory() ? DT_DIR : DT_REG).put(name);
            while (b.position() < start + record) {
                b.put((byte) 0);
            }
        }
        reply(out, unique, 0, b.position() - OUT_HEADER);
    }

    private void statfs(long unique) {
        ByteBuffer b = body(out);
        b.putLong(0).putLong(0).putLong(0).putLong(0).putLong(0); // blocks, bfree, bavail, files, ffree
        b.putInt(BLOCK).putInt(255).putInt(BLOCK).putInt(0); // bsize, namelen, frsize, padding
        for (int i = 0; i < 6; i++) {
            b.putInt(0);
        }
        reply(out, unique, 0, b.position() - OUT_HEADER);
    }

    private void entry(long unique, Outcome<Attr> outcome, boolean withOpen) {
        if (outcome instanceof Outcome.Failed<Attr> f) {
            reply(out, unique, f.errno(), 0);
            return;
        }
        Attr attr = ((Outcome.Done<Attr>) outcome).value();
        ByteBuffer b = body(out);
        b.putLong(attr.ino()).putLong(0).putLong(0).putLong(0).putInt(0).putInt(0); // id, generation, timeouts
        putAttr(b, attr);
        if (withOpen) {
            putOpenOut(b, FOPEN_DIRECT_IO);
        }
        reply(out, unique, 0, ENTRY_OUT + (withOpen ? OPEN_OUT : 0));
    }

    private void attr(long unique, Outcome<Attr> outcome) {
        if (outcome instanceof Outcome.Failed<Attr> f) {
            reply(out, unique, f.errno(), 0);
            return;
        }
        ByteBuffer b = body(out);
        b.putLong(0).putInt(0).putInt(0); // attr_valid: never cache
        putAttr(b, ((Outcome.Done<Attr>) outcome).value());
        reply(out, unique, 0, 16 + ATTR_SIZE);
    }

    private void empty(long unique, Outcome<Void> outcome) {
        reply(out, unique, outcome instanceof Outcome.Failed<Void> f ? f.errno() : 0, 0);
    }

    private void putAttr(ByteBuffer b, Attr a) {
        b.putLong(a.ino()).putLong(a.size()).putLong((a.size() + 511) / 512);
        b.putLong(mountTime).putLong(mountTime).putLong(mountTime).putInt(0).putInt(0).putInt(0);
        b.putInt(a.mode()).putInt(a.nlink()).putInt(a.uid()).putInt(a.gid()).putInt(0).putInt(BLOCK).putInt(0);
    }

    private static void putOpenOut(ByteBuffer b, int flags) {
        b.putLong(0).putInt(flags).putInt(0);
    }

    /** A NUL-terminated name at {@code at}; bytes kept one per char, so any name round-trips. */
    private String name(int at) {
        int end = at;
        while (end < in.limit() && in.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        in.get(at, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static ByteBuffer body(ByteBuffer buffer) {
        return buffer.clear().position(OUT_HEADER);
    }

    /** Sends the header and the {@code length} body bytes already in {@code buffer}. */
    private void reply(ByteBuffer buffer, long unique, int errno, int length) {
        int total = OUT_HEADER + (errno == 0 ? length : 0);
        buffer.putInt(0, total).putInt(4, -errno).putLong(8, unique);
        device.write(buffer.clear(), total);
    }
}

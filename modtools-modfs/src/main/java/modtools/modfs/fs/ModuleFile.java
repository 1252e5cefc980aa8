package modtools.modfs.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import modtools.contract.ImageHeader;
import modtools.contract.ModuleState;
import modtools.contract.ModuleStatus;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.Outcome;
import modtools.modfs.host.HostLog;
import modtools.modfs.host.ImageCheck;
import modtools.modfs.host.Mapping;
import modtools.modfs.host.Fault;
import modtools.modfs.host.Memory;
import modtools.modfs.host.ModuleCall;
import modtools.modfs.host.ModuleThread;

/**
 * A module file and its state machine (docs/modfs.md). Every method runs
 * under the filesystem's lock; init and exit run on the module's own thread and take the lock
 * again only to record how they ended.
 *
 * <p>Before {@code map} the bytes live in the host's heap; {@code map} reserves memory for the
 * size the file has then and copies them in. While mapped, the file can be rewritten and even
 * truncated and refilled (as {@code cat image > module} does) within that reservation; only
 * growing past it is EPERM. From {@code init} on, the image is the module's own: writes and
 * truncates are EBUSY, except the shrink of a live module to at least its core size, which
 * gives the init tail back. {@code exit} returns the memory to plain read/write mapped memory;
 * {@code unmap} releases it (the file keeps its size; its bytes are gone).
 */
final class ModuleFile extends Node {
    /** Larger than any module, small enough to reserve below 2 GiB. */
    static final long MAX_SIZE = 256L << 20;

    private final String path;
    private final Modfs fs;
    private final HostLog log;
    private long size;
    private byte[] pending = new byte[0];
    private Mapping mapping;
    private long reserved;
    private ImageHeader header;
    private ModuleState state = ModuleState.UNMAPPED;
    private ModuleThread thread;

    ModuleFile(long id, String path, Modfs fs, HostLog log) {
        super(id);
        this.path = path;
        this.fs = fs;
        this.log = log;
    }

    long size() {
        return size;
    }

    /** {@code dir/file}, for the log. */
    String path() {
        return path;
    }

    ModuleState state() {
        return state;
    }

    long address() {
        return mapping == null ? 0 : mapping.address();
    }

    ModuleStatus status() {
        return new ModuleStatus(state, address(), size);
    }

    Outcome<Integer> write(long offset, ByteBuffer data) {
        int n = data.remaining();
        if (offset < 0 || offset > MAX_SIZE) {
            return Outcome.failed(Errno.EFBIG, "a module is at most " + MAX_SIZE + " bytes");
        }
        long end = offset + n;
        switch (state) {
            case UNMAPPED -> {
                if (end > MAX_SIZE) {
                    return Outcome.failed(Errno.EFBIG, "a module is at most " + MAX_SIZE + " bytes");
                }
                if (end > pending.length) {
                    // Doubling keeps an image written in order from being copied at every write.
                    pending = Arrays.copyOf(pending, (int) Math.min(MAX_SIZE, Math.max(end, 2L * pending.length)));
                }
                data.get(pending, (int) offset, n);
            }
            case MAPPED -> {
                if (end > reserved) {
                    return Outcome.failed(Errno.EPERM, "writing up to " + end + " would grow the module past the "
                            + reserved + " bytes mapped for it");
                }
                Memory.view(mapping, offset, n).put(data);
            }
            default -> {
                return Outcome.failed(Errno.EBUSY, "the image is the module's own once init was written");
            }
        }
        size = Math.max(size, end);
        return Outcome.done(n);
    }

    Outcome<Void> truncate(long newSize) {
        switch (state) {
            case UNMAPPED -> {
                if (newSize > MAX_SIZE) {
                    return Outcome.failed(Errno.EFBIG, "a module is at most " + MAX_SIZE + " bytes");
                }
                if (pending.length > newSize) {
                    // What lies past the new end reads back as zeroes if the file grows again.
                    Arrays.fill(pending, (int) newSize, (int) Math.min(pending.length, Math.max(size, newSize)),
                            (byte) 0);
                }
            }
            case MAPPED -> {
                if (newSize > reserved) {
                    return Outcome.failed(Errno.EPERM, "a mapped module cannot grow past the " + reserved
                            + " bytes mapped for it");
                }
                if (newSize < size) {
                    // Bytes past a shrink read back as zeroes if the file grows again, as in any file.
                    Memory.zero(mapping, newSize, size - newSize);
                }
            }
            default -> {
                if (newSize > size) {
                    return Outcome.failed(Errno.EPERM, "a mapped module cannot grow");
                }
                // A module that faulted after its init returned (a thread of its own) may still have
                // the tail dropped by a loader that finishes the load it started.
                boolean initRan = state == ModuleState.LIVE || state == ModuleState.FAILED && header != null;
                if (initRan && newSize >= header.coreSize()) {
                    mapping = Memory.shrink(mapping, newSize);
                } else if (newSize != size) {
                    return Outcome.failed(Errno.EBUSY, "the image is the module's own; only a live module may drop "
                            + "its init tail, down to its core size " + header.coreSize());
                }
            }
        }
        size = newSize;
        return Outcome.done(null);
    }

    Outcome<Void> map() {
        if (state != ModuleState.UNMAPPED) {
            return Outcome.failed(Errno.EEXIST, String.format("already mapped at 0x%016x", address()));
        }
        if (size == 0) {
            return Outcome.failed(Errno.EINVAL, "nothing to map: the file is empty");
        }
        Outcome<Mapping> reserved = Memory.reserve(size);
        if (reserved instanceof Outcome.Failed<Mapping> f) {
            return f.cast();
        }
        mapping = ((Outcome.Done<Mapping>) reserved).value();
        Memory.view(mapping, 0, (int) Math.min(pending.length, size)).put(pending, 0, (int) Math.min(pending.length, size));
        pending = new byte[0];
        this.reserved = size;
        state = ModuleState.MAPPED;
        log.add(String.format("modfs: %s: mapped at 0x%016x, %d bytes", path, mapping.address(), size));
        return Outcome.done(null);
    }

    Outcome<Void> unmap() {
        switch (state) {
            case UNMAPPED -> {
                return Outcome.failed(Errno.EINVAL, "not mapped");
            }
            case INITIALIZING, GOING -> {
                return Outcome.failed(Errno.EBUSY, state.word() + ": its " + (state == ModuleState.GOING ? "exit"
                        : "init") + " is still running");
            }
            case LIVE -> {
                return Outcome.failed(Errno.EBUSY, "live: exit it first");
            }
            default -> {
                if (thread != null && thread.threadsRunning() > 0) {
                    return Outcome.failed(Errno.EBUSY, thread.threadsRunning() + " of its threads still run");
                }
                Memory.release(mapping);
                mapping = null;
                header = null;
                state = ModuleState.UNMAPPED;
                if (thread != null) {
                    thread.close();
                    thread = null;
                }
                log.add("modfs: " + path + ": unmapped");
                return Outcome.done(null);
            }
        }
    }

    /**
     * Checks the header, protects the pages and calls init on the module's thread; completes
     * when init has returned, with init's errno if it failed.
     */
    CompletionStage<Outcome<Void>> init(Runnable onLive) {
        switch (state) {
            case UNMAPPED, FAILED -> {
                return now(Outcome.failed(Errno.EINVAL, state == ModuleState.FAILED
                        ? "its init failed before: unmap it" : "not mapped"));
            }
            case INITIALIZING, GOING -> {
                return now(Outcome.failed(Errno.EBUSY, state.word()));
            }
            case LIVE -> {
                return now(Outcome.failed(Errno.EEXIST, "already live"));
            }
            default -> { }
        }
        Outcome<ImageHeader> checked = ImageCheck.check(mapping, size);
        if (checked instanceof Outcome.Failed<ImageHeader> f) {
            return now(f.cast());
        }
        ImageHeader h = ((Outcome.Done<ImageHeader>) checked).value();
        Outcome<Void> protectedPages = Memory.protect(mapping, h);
        if (protectedPages instanceof Outcome.Failed<Void>) {
            Memory.unprotect(mapping);
            return now(protectedPages);
        }
        header = h;
        state = ModuleState.INITIALIZING;
        if (h.init() == 0) {
            return now(becomeLive(onLive));
        }
        log.add(String.format("modfs: %s: calling init at 0x%016x", path, h.init()));
        return thread().init(h.init()).handle((call, error) -> {
            synchronized (fs) {
                if (call instanceof ModuleCall.Faulted f) {
                    return faulted(f.fault(), "init");
                }
                if (state == ModuleState.FAILED) {
                    return Outcome.failed(Errno.EFAULT, "a thread of the module faulted while init ran");
                }
                if (call instanceof ModuleCall.Returned r && r.value() == 0) {
                    return becomeLive(onLive);
                }
                state = ModuleState.FAILED;
                if (error != null) {
                    log.add("modfs: " + path + ": init could not be called: " + error);
                    return Outcome.failed(Errno.EIO, "init could not be called");
                }
                int returned = ((ModuleCall.Returned) call).value();
                int errno = returned < 0 && returned >= -Errno.MAX ? -returned
                        : returned > 0 && returned <= Errno.MAX ? returned : Errno.EINVAL;
                log.add("modfs: " + path + ": init returned " + returned);
                return Outcome.failed(errno, "init returned " + returned);
            }
        });
    }

    private ModuleThread thread() {
        if (thread == null) {
            thread = new ModuleThread(path, log, fault -> {
                synchronized (fs) {
                    faulted(fault, "a thread of the module");
                }
            });
        }
        return thread;
    }

    /**
     * Module code faulted and the host took the call back: the module is {@code failed} for
     * good (its exit never runs; unmap is all that is left), the host tainted, the oops logged.
     */
    private Outcome<Void> faulted(Fault fault, String where) {
        state = ModuleState.FAILED;
        fs.faulted(this, fault, where);
        return Outcome.failed(Errno.EFAULT, where + " faulted (" + fault.signalName() + ")");
    }

    private Outcome<Void> becomeLive(Runnable onLive) {
        state = ModuleState.LIVE;
        onLive.run();
        log.add("modfs: " + path + ": live");
        return Outcome.done(null);
    }

    /**
     * Calls exit on the module's thread; completes when it has returned. A module with init but
     * no exit cannot be stopped, as in the kernel.
     */
    CompletionStage<Outcome<Void>> exit(Runnable onGone) {
        if (state == ModuleState.INITIALIZING || state == ModuleState.GOING) {
            return now(Outcome.failed(Errno.EBUSY, state.word()));
        }
        if (state != ModuleState.LIVE) {
            return now(Outcome.failed(Errno.EINVAL, "not live"));
        }
        if (header.exit() == 0 && header.init() != 0) {
            return now(Outcome.failed(Errno.EBUSY, "it has an init and no exit, so it cannot be stopped"));
        }
        state = ModuleState.GOING;
        if (header.exit() == 0) {
            return now(stopped(onGone));
        }
        log.add(String.format("modfs: %s: calling exit at 0x%016x", path, header.exit()));
        return thread().exit(header.exit()).handle((call, error) -> {
            synchronized (fs) {
                if (call instanceof ModuleCall.Faulted f) {
                    return faulted(f.fault(), "exit");
                }
                if (state == ModuleState.FAILED) {
                    return Outcome.failed(Errno.EFAULT, "a thread of the module faulted while exit ran");
                }
                if (error != null) {
                    log.add("modfs: " + path + ": exit could not be called: " + error);
                }
                return stopped(onGone);
            }
        });
    }

    /** After exit the memory is plain mapped memory again, as large as the file is now. */
    private Outcome<Void> stopped(Runnable onGone) {
        Memory.unprotect(mapping);
        header = null;
        reserved = size;
        state = ModuleState.MAPPED;
        onGone.run();
        log.add("modfs: " + path + ": stopped");
        return Outcome.done(null);
    }

    private static CompletionStage<Outcome<Void>> now(Outcome<Void> outcome) {
        return CompletableFuture.completedFuture(outcome);
    }
}

package modtools.cli.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import modtools.deps.cache.ReadCache;
import modtools.deps.cache.StampedCache;

/**
 * The resident server: one per user and directory, holding the directory's lock file for its
 * whole life (a second server started meanwhile waits for it, then takes over), listening on
 * the socket beside it, each call on a thread of its own. It quits when idle for its idle time
 * and when a client of another build calls; either way it first takes its socket away, so no
 * new client reaches it, and ends once the calls it has taken are answered.
 */
final class Server {
    /** How long a new server waits for an old one, told to quit, to let go of the lock. */
    private static final long TAKEOVER_MILLIS = 10_000;
    /**
     * What the indexes and configuration kept between calls may take: the indexes count by
     * their files' sizes (mapped, not copied), configuration by three times its text. Debian's
     * full module directory's five indexes take about 3 MiB.
     */
    static final long CACHE_BYTES = 64L << 20;
    /**
     * How long after its last call the server gives back memory ({@link IdleMemory}). Calls
     * a script makes one after another find the heap the last one left; a call after that
     * pays the page faults of what it allocates again (a served depmod of Debian 12's tree some
     * 30,000, a tenth more time on a virtual machine).
     */
    static final long GIVE_BACK_MILLIS = 5000;
    /** Between the two steps of giving back: G1 has uncommitted what it shrank by then. */
    private static final long REGROW_MILLIS = 500;
    private static final long TICK_MILLIS = 100;

    /** What became of the memory the last calls left behind. */
    private enum Memory { HELD, SHRUNK, GIVEN_BACK }

    private final Path dir;
    private final String buildId;
    private final Map<String, String> ownEnvironment;
    private final long idleNanos;
    private final long giveBackNanos;
    private final int uid = Libc.uid();
    private final AtomicInteger active = new AtomicInteger();
    private final StampedCache cache = new StampedCache(CACHE_BYTES);
    /** Threads for calls and their cancel watchers, kept for the next calls rather than made anew. */
    private final ExecutorService pool = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "modtools call");
        thread.setDaemon(true);
        return thread;
    });
    private final Rehearsals rehearsals = new Rehearsals(this);
    private volatile long lastActive = System.nanoTime();
    /** Guards the three below; a call starts and memory is given back under it, never both at once. */
    private final Object memoryLock = new Object();
    private Memory memory = Memory.GIVEN_BACK;
    private long shrunkAt;
    private IdleMemory idleMemory;
    private volatile boolean retiring;
    private int listener = -1;
    private Object socketInode;

    Server(Path dir, String buildId, Map<String, String> ownEnvironment, long idleSeconds) {
        this(dir, buildId, ownEnvironment, idleSeconds, GIVE_BACK_MILLIS);
    }

    Server(Path dir, String buildId, Map<String, String> ownEnvironment, long idleSeconds, long giveBackMillis) {
        this.dir = dir;
        this.buildId = buildId;
        this.ownEnvironment = ownEnvironment;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.giveBackNanos = TimeUnit.MILLISECONDS.toNanos(giveBackMillis);
    }

    int uid() {
        return uid;
    }

    String buildId() {
        return buildId;
    }

    Map<String, String> ownEnvironment() {
        return ownEnvironment;
    }

    /** Serves until idle or retired; false when it could not start (the reason on {@code err}). */
    boolean serve(PrintStream err) throws InterruptedException {
        try (FileChannel lockFile = FileChannel.open(dir.resolve(SocketDirectory.LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = waitForLock(lockFile);
            if (lock == null) {
                err.println("modtools server: another server in " + dir + " holds its lock");
                return false;
            }
            // bound and listening under another name, then renamed into place: a client that
            // finds the socket can connect to it
            Path socket = dir.resolve(SocketDirectory.SOCKET);
            Path bound = dir.resolve(SocketDirectory.SOCKET + ".new");
            Files.deleteIfExists(bound);
            listener = Libc.listenAt(bound.toString(), 128);
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            socketInode = Files.getAttribute(bound, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            Files.move(bound, socket, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            lastActive = System.nanoTime();
            Thread idle = new Thread(this::watchIdle, "modtools server idle");
            idle.setDaemon(true);
            idle.start();
            acceptUntilRetired();
            while (active.get() > 0) {
                Thread.sleep(10);
            }
            // no step of giving back memory outlives the server (its flags are the JVM's)
            idle.interrupt();
            idle.join();
            return true;
        } catch (IOException | Libc.SysError e) {
            err.println("modtools server: " + dir + ": " + e.getMessage());
            return false;
        } finally {
            if (listener >= 0) {
                Libc.closeQuietly(listener);
            }
        }
    }

    private FileLock waitForLock(FileChannel lockFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TAKEOVER_MILLIS);
        while (true) {
            FileLock lock = lockFile.tryLock();
            if (lock != null || System.nanoTime() > deadline) {
                return lock;
            }
            Thread.sleep(10);
        }
    }

    private void acceptUntilRetired() {
        while (!retiring) {
            int fd;
            try {
                fd = Libc.accept(listener);
            } catch (Libc.SysError e) {
                // the listener shut down by retire(), or out of descriptors for a moment
                pause();
                continue;
            }
            starting();
            pool.execute(new Connection(this, fd));
        }
    }

    /** A call starts; on a heap shrunk a moment ago, after the heap has regrown. */
    private void starting() {
        synchronized (memoryLock) {
            active.incrementAndGet();
            lastActive = System.nanoTime();
            if (memory == Memory.SHRUNK) {
                idleMemory.regrow();
            }
            memory = Memory.HELD;
        }
    }

    private void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ReadCache cache() {
        return cache;
    }

    Rehearsals rehearsals() {
        return rehearsals;
    }

    ExecutorService pool() {
        return pool;
    }

    /** Whether the memory the last calls left behind has been given back (for tests). */
    boolean memoryGivenBack() {
        synchronized (memoryLock) {
            return memory == Memory.GIVEN_BACK;
        }
    }

    void finished() {
        lastActive = System.nanoTime();
        active.decrementAndGet();
    }

    private void watchIdle() {
        while (!retiring) {
            try {
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (memoryLock) {
                long now = System.nanoTime();
                if (retiring || active.get() > 0) {
                    continue;
                }
                if (now - lastActive >= idleNanos) {
                    retire();
                } else if (memory == Memory.HELD && now - lastActive >= giveBackNanos) {
                    if (idleMemory == null) {
                        idleMemory = new IdleMemory();
                    }
                    idleMemory.shrink();
                    memory = Memory.SHRUNK;
                    shrunkAt = System.nanoTime();
                } else if (memory == Memory.SHRUNK && now - shrunkAt >= TimeUnit.MILLISECONDS.toNanos(REGROW_MILLIS)) {
                    idleMemory.regrow();
                    memory = Memory.GIVEN_BACK;
                }
            }
        }
    }

    /**
     * No new calls: the socket is removed (if it is still ours, not a successor's) and the
     * listener shut down, which wakes the accepting thread.
     */
    synchronized void retire() {
        if (retiring) {
            return;
        }
        retiring = true;
        Path socket = dir.resolve(SocketDirectory.SOCKET);
        try {
            if (socketInode.equals(Files.getAttribute(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS))) {
                Files.delete(socket);
            }
        } catch (IOException e) {
            // gone already, or replaced by a successor, whose socket stays
        }
        Libc.shutdownListener(listener);
    }
}

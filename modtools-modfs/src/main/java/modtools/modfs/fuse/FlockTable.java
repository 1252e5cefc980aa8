package modtools.modfs.fuse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * flock(2)'s rules for the locks the kernel forwards once FUSE_FLOCK_LOCKS is asked for, as
 * fs/locks.c's flock_lock_inode keeps them: per node, one lock per owner (an open file
 * description), shared or exclusive; an exclusive lock excludes every other owner's. A
 * conversion drops the owner's old lock first, so a conversion that fails (or waits) has lost
 * it, as on Linux. A request that must wait is queued by its request id and answered when a
 * change lets it in; nothing blocks a thread. Only the session's reader thread calls this.
 */
final class FlockTable {
    /** What became of a lock request. */
    enum Status { GRANTED, WOULD_BLOCK, QUEUED }

    /** A request's status, and the waiting requests (by id) the change let in. */
    record Answer(Status status, List<Long> granted) {}

    private record Waiter(long unique, long owner, boolean exclusive) {}

    /** The locks of one node: exclusive or not, by owner; then who waits, oldest first. */
    private static final class Locks {
        final Map<Long, Boolean> held = new HashMap<>();
        final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

        boolean conflicts(long owner, boolean exclusive) {
            for (Map.Entry<Long, Boolean> e : held.entrySet()) {
                if (e.getKey() != owner && (exclusive || e.getValue())) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Map<Long, Locks> nodes = new HashMap<>();
    /** The node each waiting request waits on, so that an interrupt finds it. */
    private final Map<Long, Long> waitingOn = new HashMap<>();

    /** LOCK_SH or LOCK_EX for {@code owner}; {@code wait} queues it under {@code unique} when it conflicts. */
    Answer lock(long node, long owner, boolean exclusive, long unique, boolean wait) {
        Locks locks = nodes.computeIfAbsent(node, n -> new Locks());
        Boolean had = locks.held.get(owner);
        if (had != null && had == exclusive) {
            return new Answer(Status.GRANTED, List.of());
        }
        locks.held.remove(owner);
        Status status;
        if (!locks.conflicts(owner, exclusive)) {
            locks.held.put(owner, exclusive);
            status = Status.GRANTED;
        } else if (wait) {
            locks.waiting.add(new Waiter(unique, owner, exclusive));
            waitingOn.put(unique, node);
            status = Status.QUEUED;
        } else {
            status = Status.WOULD_BLOCK;
        }
        return new Answer(status, had == null ? List.of() : admit(node, locks));
    }

    /** LOCK_UN, or the last close of the owner's file: the requests this let in. */
    List<Long> unlock(long node, long owner) {
        Locks locks = nodes.get(node);
        if (locks == null || locks.held.remove(owner) == null) {
            return List.of();
        }
        return admit(node, locks);
    }

    /** Stops request {@code unique} waiting (its caller got a signal); false if it was not waiting. */
    boolean cancel(long unique) {
        Long node = waitingOn.remove(unique);
        if (node == null) {
            return false;
        }
        Locks locks = nodes.get(node);
        locks.waiting.removeIf(w -> w.unique() == unique);
        forgetIfIdle(node, locks);
        return true;
    }

    /** Grants every waiting request that fits now, oldest first. */
    private List<Long> admit(long node, Locks locks) {
        List<Long> granted = new ArrayList<>();
        for (Iterator<Waiter> i = locks.waiting.iterator(); i.hasNext(); ) {
            Waiter w = i.next();
            if (!locks.conflicts(w.owner(), w.exclusive())) {
                locks.held.put(w.owner(), w.exclusive());
                waitingOn.remove(w.unique());
                i.remove();
                granted.add(w.unique());
            }
        }
        forgetIfIdle(node, locks);
        return granted;
    }

    private void forgetIfIdle(long node, Locks locks) {
        if (locks.held.isEmpty() && locks.waiting.isEmpty()) {
            nodes.remove(node);
        }
    }
}

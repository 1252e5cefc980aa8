package modtools.load.modfs;

import java.util.HashMap;
import java.util.Map;

/**
 * The shared locks a modprobe run keeps on what it loaded or found loaded, a module each, so
 * no other process removes a dependency between two of its steps; every other run keeps none.
 */
final class RetainedLocks implements AutoCloseable {
    private final boolean retain;
    private final Map<String, InfoLock> held = new HashMap<>();

    RetainedLocks(boolean retain) {
        this.retain = retain;
    }

    boolean retains() {
        return retain;
    }

    /** Keeps {@code lock} for the rest of the run; false (and the lock closed) when one on the same file is kept already. */
    boolean keep(InfoLock lock) {
        if (!retain) {
            return false;
        }
        InfoLock old = held.putIfAbsent(lock.module(), lock);
        if (old != null && old != lock) {
            if (old.stillAt()) {
                lock.close();
                return false;
            }
            old.close();
            held.put(lock.module(), lock);
        }
        return true;
    }

    InfoLock get(String module) {
        return held.get(module);
    }

    /** Drops the lock kept on {@code module}, if any. */
    void drop(String module) {
        InfoLock lock = held.remove(module);
        if (lock != null) {
            lock.close();
        }
    }

    @Override
    public void close() {
        held.values().forEach(InfoLock::close);
        held.clear();
    }
}

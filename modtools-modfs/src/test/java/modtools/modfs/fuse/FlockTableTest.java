package modtools.modfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import modtools.modfs.fuse.FlockTable.Answer;
import modtools.modfs.fuse.FlockTable.Status;
import org.junit.jupiter.api.Test;

/**
 * The waiting side of flock's rules, which a test through the kernel cannot order: who a change
 * lets in, in which order, and what an interrupt takes back. Owners are open files; requests
 * are numbered by their FUSE request id.
 */
class FlockTableTest {
    private static final long NODE = 7;
    private final FlockTable table = new FlockTable();

    private Answer lock(long owner, boolean exclusive, long request) {
        return table.lock(NODE, owner, exclusive, request, true);
    }

    @Test
    void waitersAreLetInOldestFirstAndSharedOnesTogether() {
        assertEquals(new Answer(Status.GRANTED, List.of()), lock(1, true, 100));
        assertEquals(Status.QUEUED, lock(2, false, 101).status());
        assertEquals(Status.QUEUED, lock(3, true, 102).status());
        assertEquals(Status.QUEUED, lock(4, false, 103).status());
        assertEquals(List.of(101L, 103L), table.unlock(NODE, 1), "both readers, the writer still waits");
        assertEquals(List.of(), table.unlock(NODE, 2));
        assertEquals(List.of(102L), table.unlock(NODE, 4));
        assertEquals(Status.WOULD_BLOCK, table.lock(NODE, 5, false, 104, false).status());
    }

    @Test
    void anInterruptedWaiterIsNeverLetIn() {
        lock(1, true, 100);
        lock(2, true, 101);
        assertTrue(table.cancel(101));
        assertFalse(table.cancel(101), "a request is cancelled once");
        assertFalse(table.cancel(100), "a granted request is not waiting");
        assertEquals(List.of(), table.unlock(NODE, 1));
        assertEquals(Status.GRANTED, lock(3, true, 102).status());
    }

    @Test
    void anUpgradeDropsItsSharedLockBeforeItWaits() {
        lock(1, false, 100);
        lock(2, false, 101);
        assertEquals(Status.QUEUED, lock(1, true, 102).status());
        assertEquals(Status.QUEUED, lock(3, true, 103).status());
        assertEquals(List.of(102L), table.unlock(NODE, 2), "the upgrade waited for the other reader alone");
        assertEquals(new Answer(Status.GRANTED, List.of()), lock(1, false, 104), "a downgrade still excludes writers");
        assertEquals(List.of(103L), table.unlock(NODE, 1));
    }

    @Test
    void aDowngradeLetsReadersInAndAReleaseOfNothingChangesNothing() {
        lock(1, true, 100);
        lock(2, false, 101);
        assertEquals(new Answer(Status.GRANTED, List.of(101L)), lock(1, false, 102));
        assertEquals(List.of(), table.unlock(NODE, 9));
        assertEquals(List.of(), table.unlock(8, 1));
    }
}

package modtools.cli.server;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Gives back, in two steps while the server is idle, what served calls left in its resident
 * set: four depmods of Debian 13's tree at once leave some 300 MiB of heap the collector keeps
 * once it has grown to it, and 150 MiB of malloc's memory (the decoders' buffers, freed into
 * the arenas, whose tops glibc keeps).
 *
 * <p>{@link #shrink}: a full collection with MaxHeapFreeRatio at 0, after which G1 shrinks the
 * heap to what is live (a few MiB) and uncommits the rest, then malloc_trim(3), which returns
 * every arena's free pages but the top of those besides the main one (hence MALLOC_ARENA_MAX,
 * set by the launcher).
 *
 * <p>{@link #regrow}, once G1 has uncommitted that (on a thread of its own, within some 100 ms;
 * a collection before then takes the regions back with their pages): a second full collection
 * with MinHeapFreeRatio raised, after which G1 commits the heap back to the largest size it
 * has had, without touching it. A call on the small heap costs G1 a dozen collections and
 * resizings (a depmod of Debian 12's tree a third to a half more CPU); on the regrown one it
 * runs as on a fresh server, paying only the page faults of what it allocates.
 *
 * <p>The free ratios are manageable flags: each step sets them for its own collection and puts
 * back the values the server started with, by which every other collection goes.
 */
final class IdleMemory {
    private static final boolean TRIM = bindMallocTrim();

    private final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    private final int minFree = ratio("MinHeapFreeRatio");
    private final int maxFree = ratio("MaxHeapFreeRatio");
    /** The largest the heap was when a shrink found it, at least its initial size. */
    private long grownHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
    /** What was live after the last shrink. */
    private long live;

    /** glibc's; other C libraries have none, and there the trim is left out. */
    private static native int malloc_trim(long pad);

    private static boolean bindMallocTrim() {
        try {
            Native.register(IdleMemory.class, NativeLibrary.getProcess());
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    void shrink() {
        Runtime runtime = Runtime.getRuntime();
        grownHeap = Math.max(grownHeap, runtime.totalMemory());
        collect(0, 0);
        live = runtime.totalMemory() - runtime.freeMemory();
        if (TRIM) {
            malloc_trim(0);
        }
    }

    void regrow() {
        // G1 sizes the heap to live / (1 - MinHeapFreeRatio / 100), live counted in whole regions
        long livePercent = (100 * live + grownHeap - 1) / Math.max(1, grownHeap);
        collect((int) Math.max(0, Math.min(99, 100 - livePercent)), 100);
    }

    /** One full collection under these ratios, then the server's own again. */
    private void collect(int min, int max) {
        setRatios(min, max);
        try {
            System.gc();
        } finally {
            setRatios(minFree, maxFree);
        }
    }

    /** In an order that never has the minimum above the maximum, which the flags refuse. */
    private void setRatios(int min, int max) {
        vm.setVMOption("MinHeapFreeRatio", "0");
        vm.setVMOption("MaxHeapFreeRatio", Integer.toString(max));
        vm.setVMOption("MinHeapFreeRatio", Integer.toString(min));
    }

    private int ratio(String flag) {
        return Integer.parseInt(vm.getVMOption(flag).getValue());
    }
}

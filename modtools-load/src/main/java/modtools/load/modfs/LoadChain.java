package modtools.load.modfs;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A load as the kernel's load_module reads: named steps run in order, and when one fails, the
 * steps done so far are undone in reverse, so a failed load leaves nothing behind.
 */
final class LoadChain {
    /**
     * For the tests that kill a loader part-way: the step after which a load says so on stderr
     * and waits to be killed, from the environment variable of that name.
     */
    static final String STOP_AFTER = "MODTOOLS_LOADER_STOP_AFTER";
    private static final String STOP_STEP = System.getenv(STOP_AFTER);

    /** What a step does, or undoes. */
    @FunctionalInterface
    interface Action {
        void run(Load load) throws Failed;
    }

    /** One named step and how to take back what it made. */
    record Step(String name, Action run, Action undo) {
        static Step keepsNothing(String name, Action run) {
            return new Step(name, run, load -> { });
        }
    }

    private final List<Step> steps;
    private final PrintStream log;

    LoadChain(List<Step> steps, PrintStream log) {
        this.steps = List.copyOf(steps);
        this.log = log;
    }

    List<String> names() {
        return steps.stream().map(Step::name).toList();
    }

    /**
     * Runs every step; on a failure, logs its lines, undoes the steps begun in reverse (unless
     * the failure leaves them, {@link Failed#gaveUp}) and rethrows.
     */
    void run(Load load) throws Failed {
        Deque<Step> done = new ArrayDeque<>();
        try {
            for (Step step : steps) {
                // a step that fails part-way is undone too: each undo takes back what its step made so far
                done.push(step);
                step.run().run(load);
                checkpoint(step.name());
            }
        } catch (Failed f) {
            f.lines.forEach(log::println);
            while (f.undo && !done.isEmpty()) {
                Step step = done.pop();
                try {
                    step.undo().run(load);
                } catch (Failed u) {
                    u.lines.forEach(log::println);
                }
            }
            throw f;
        }
    }

    private void checkpoint(String step) {
        if (step.equals(STOP_STEP)) {
            log.println("modfs loader: stopped after " + step);
            log.flush();
            while (true) {
                Pause.millis(60_000);
            }
        }
    }
}

package modtools.deps.depmod;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent jobs on every core with plain threads. Streams and executors would do the
 * same, but their classes and lambdas cost a short-lived command more start-up time than the
 * work they spread (depmod runs once per call, in a fresh JVM).
 */
final class Workers {
    /** One job of a numbered set; exceptions are the job's business. */
    interface Job {
        void run(int index);
    }

    private Workers() {}

    static void run(int count, Job job) {
        AtomicInteger next = new AtomicInteger();
        Runnable worker = new Runnable() {
            @Override
            public void run() {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    job.run(i);
                }
            }
        };
        int helpers = Math.min(count, Runtime.getRuntime().availableProcessors()) - 1;
        Thread[] threads = new Thread[Math.max(0, helpers)];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(worker, "depmod-worker-" + t);
            threads[t].start();
        }
        worker.run();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for workers", e);
            }
        }
    }
}

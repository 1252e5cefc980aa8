package modtools.load.modfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import modtools.deps.KmodLevel;

/**
 * The loop of scripts/bench-modfs-load: one module loaded and removed ROUNDS times in this one
 * process, through the same loader insmod and rmmod use, so that the JVM's start and warm-up
 * are paid once. Prints the median, 90th percentile and mean of each load (start to live, info
 * written) and each removal, in milliseconds.
 *
 * <pre>java -cp modtools.jar modtools.load.modfs.LoadBench MOUNT MODULE.ko ROUNDS [PARAM=VALUE...]</pre>
 */
public final class LoadBench {
    private LoadBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: LoadBench MOUNT MODULE.ko ROUNDS [PARAM=VALUE...]");
            System.exit(2);
        }
        Path mount = Path.of(args[0]);
        String ko = Path.of(args[1]).toAbsolutePath().toString();
        int rounds = Integer.parseInt(args[2]);
        String options = String.join(" ", Arrays.asList(args).subList(3, args.length));
        String name = modtools.deps.index.AliasNormalizer.modnameOfPath(ko).orElseThrow();
        PrintStream err = System.err;
        long[] loads = new long[rounds];
        long[] removals = new long[rounds];
        try (ModfsBackend backend = ModfsBackend.open(mount, err, false, System.getenv(),
                KmodLevel.of(System.getenv(KmodLevel.VARIABLE)).orElse(KmodLevel.KMOD34).zstdReading())) {
            var loader = backend.loader();
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                int errno = loader.insert(ko, options, false, false).errno();
                long t1 = System.nanoTime();
                if (errno != 0) {
                    err.println("LoadBench: load " + (i + 1) + " failed: errno " + errno);
                    System.exit(1);
                }
                errno = loader.remove(name, false);
                long t2 = System.nanoTime();
                if (errno != 0) {
                    err.println("LoadBench: removal " + (i + 1) + " failed: errno " + errno);
                    System.exit(1);
                }
                loads[i] = t1 - t0;
                removals[i] = t2 - t1;
            }
        }
        System.out.println("load " + summary(loads));
        System.out.println("remove " + summary(removals));
    }

    private static String summary(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        return String.format("median %.2f ms, p90 %.2f ms, mean %.2f ms, first %.2f ms", ms(sorted[sorted.length / 2]),
                ms(sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.9) - 1)]), mean / 1e6,
                ms(nanos[0]));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}

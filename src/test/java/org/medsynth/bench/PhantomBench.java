package org.medsynth.bench;

import org.medsynth.data.FundusPhantom;
import org.medsynth.data.LiverPhantom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the phantom generators and prints (or, with a file argument, appends) a markdown section:
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) org.medsynth.bench.PhantomBench [out.md]
 * </pre>
 * Each row is the median of 7 runs after 3 warm-up runs, single-threaded generation.
 */
public final class PhantomBench {

    private PhantomBench() { }

    public static void main(String[] args) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("## Phantom generators\n\n");
        md.append(String.format(Locale.ROOT, "Java %s, %d cores available.%n%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors()));
        md.append("| phantom | size | median time (ms) | min (ms) |\n|---|---|---:|---:|\n");
        for (int size : new int[] {256, 512, 1024}) {
            double[] t = time(seed -> FundusPhantom.generate(size, seed));
            md.append(String.format(Locale.ROOT, "| fundus | %d x %d | %.0f | %.0f |%n", size, size, t[0], t[1]));
        }
        int[][] volumes = {{96, 96, 24}, {128, 128, 48}, {256, 256, 64}};
        for (int[] v : volumes) {
            double[] t = time(seed -> LiverPhantom.generate(v[0], v[1], v[2], seed));
            md.append(String.format(Locale.ROOT, "| liver CT | %d x %d x %d | %.0f | %.0f |%n", v[0], v[1], v[2], t[0], t[1]));
        }
        System.out.print(md);
        if (args.length > 0) Files.writeString(Path.of(args[0]), md + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private interface Job {
        Object run(long seed);
    }

    /** {median, min} in milliseconds. */
    private static double[] time(Job job) {
        for (int i = 0; i < 3; i++) job.run(100 + i);
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            job.run(i);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[ms.length / 2], ms[0]};
    }
}

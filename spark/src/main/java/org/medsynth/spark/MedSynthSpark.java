package org.medsynth.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.medsynth.spark.jobs.EvaluateJob;
import org.medsynth.spark.jobs.GenerateJob;
import org.medsynth.spark.jobs.SegmentJob;
import org.medsynth.spark.jobs.SketchJob;
import org.medsynth.spark.jobs.SweepJob;
import org.medsynth.spark.jobs.SynthesizeJob;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code medsynth-spark JOB key=value ...}: runs a MedSynth job over many files on Spark, embedded ({@code
 * master=local[*]}, the default) or on a cluster (any Spark master, or through spark-submit). Exit status 0 when the
 * job ran (items that failed are rows of its status table), 1 when it could not run, 2 for a usage error.
 */
public final class MedSynthSpark {

    /** The jobs by name. */
    static final Map<String, Supplier<SparkJob>> JOBS = new LinkedHashMap<>();

    static {
        JOBS.put("segment", SegmentJob::new);
        JOBS.put("synthesize", SynthesizeJob::new);
        JOBS.put("generate", GenerateJob::new);
        JOBS.put("sketch", SketchJob::new);
        JOBS.put("evaluate", EvaluateJob::new);
        JOBS.put("sweep", SweepJob::new);
    }

    /** Keys every job takes. */
    static final Map<String, String> COMMON = SparkJob.keyList(
            "master", "Spark master: local[*] (default: embedded Spark on this machine, all cores), local[N], spark://host:7077, "
                    + "yarn, k8s://...; under spark-submit the master given there",
            "app_name", "name of the application in Spark's UI (default: MedSynth JOB)",
            "status", "the status table (CSV) to write (default: OUTPUT/medsynth-JOB-status.csv)",
            "overwrite", "true: redo every item, replacing complete outputs (default false: a re-run skips them)",
            "progress_seconds", "at most one progress line per this many seconds (default 10)",
            JobRunner.FAIL_ONCE, "(tests only)");

    private MedSynthSpark() { }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("-h") || argv[0].equals("--help") || argv[0].equals("help")) {
            System.out.println(usage());
            return argv.length == 0 ? 2 : 0;
        }
        Supplier<SparkJob> maker = JOBS.get(argv[0]);
        if (maker == null) {
            System.err.println("medsynth-spark: unknown job '" + argv[0] + "'. Jobs: " + String.join(", ", JOBS.keySet()) + ".");
            return 2;
        }
        SparkJob job = maker.get();
        List<String> rest = new ArrayList<>(Arrays.asList(argv).subList(1, argv.length));
        if (rest.contains("help") || rest.contains("--help")) {
            System.out.println(help(job));
            return 0;
        }
        JobArgs args;
        try {
            args = JobArgs.parse(rest);
            args.checkKeys(job.name(), knownKeys(job));
        } catch (UserInputException e) {
            System.err.println("medsynth-spark: " + e.getMessage());
            return 2;
        }
        org.medsynth.nn.Nd4jDebugFilter.install();
        SparkConf conf = new SparkConf().setAppName(args.get("app_name", "MedSynth " + job.name()));
        if (args.has("master")) conf.setMaster(args.get("master", null));
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        String master = conf.get("spark.master");
        if (args.has("master") && (master.startsWith("yarn") || master.startsWith("k8s://") || master.startsWith("mesos://"))) {
            System.err.println("medsynth-spark: master=" + master + " needs spark-submit (its scheduler is not part of the embedded Spark): "
                    + "spark-submit --master " + master + " --class " + MedSynthSpark.class.getName() + " medsynth-spark-*-cluster.jar "
                    + job.name() + " ... (see docs/spark.md).");
            return 2;
        }
        // bin/medsynth-spark with a cluster master (spark://...): the executors get the cluster jar from this driver
        String clusterJar = System.getProperty("medsynth.spark.clusterJar", "");
        if (!master.startsWith("local") && !clusterJar.isEmpty() && !conf.contains("spark.jars")) conf.set("spark.jars", clusterJar);
        JavaSparkContext sc = null;
        try {
            sc = new JavaSparkContext(conf);
            sc.setLogLevel(System.getProperty("medsynth.spark.logLevel", "WARN"));
            JobRunner.Summary s = JobRunner.run(sc, job, args);
            return 0;
        } catch (UserInputException e) {
            System.err.println("medsynth-spark: FAILED: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.err.println("medsynth-spark: FAILED: " + rootMessage(e));
            return 1;
        } finally {
            if (sc != null) sc.stop();
        }
    }

    /** Runs a job in an existing Spark context (tests, notebooks, other applications). */
    public static JobRunner.Summary run(JavaSparkContext sc, String jobName, Map<String, String> keys) {
        Supplier<SparkJob> maker = JOBS.get(jobName);
        if (maker == null) throw new UserInputException("Unknown job '" + jobName + "'. Jobs: " + String.join(", ", JOBS.keySet()) + ".");
        SparkJob job = maker.get();
        JobArgs args = new JobArgs(keys);
        args.checkKeys(job.name(), knownKeys(job));
        return JobRunner.run(sc, job, args);
    }

    static List<String> knownKeys(SparkJob job) {
        List<String> k = new ArrayList<>(job.keys().keySet());
        k.addAll(COMMON.keySet());
        return k;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t instanceof UserInputException ? t.getMessage() : String.valueOf(t);
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: medsynth-spark JOB key=value ...   (medsynth-spark JOB help: the job's keys)\njobs:\n");
        for (Map.Entry<String, Supplier<SparkJob>> e : JOBS.entrySet()) {
            sb.append(String.format("  %-11s %s%n", e.getKey(), summary(e.getValue().get())));
        }
        sb.append("keys of every job:\n");
        COMMON.forEach((k, v) -> {
            if (!k.equals(JobRunner.FAIL_ONCE)) sb.append(String.format("  %-17s %s%n", k, v));
        });
        sb.append("See docs/spark.md.");
        return sb.toString();
    }

    private static String summary(SparkJob job) {
        return switch (job.name()) {
            case "segment" -> "MedSynth Segment on every image/volume of a folder or list (model, input, output)";
            case "synthesize" -> "3D-MedGAN volumes from randomly edited label maps (model, labels, output, copies)";
            case "generate" -> "SkrGAN images from noise, split over tasks (model, count, seed, output)";
            case "sketch" -> "MedSynth Extract Sketch on every image (input, output)";
            case "evaluate" -> "Evaluate Segmentation per case, one table (prediction, truth, output)";
            case "sweep" -> "training runs over a grid of settings, one run per task, one results table";
            default -> "";
        };
    }

    static String help(SparkJob job) {
        StringBuilder sb = new StringBuilder("medsynth-spark " + job.name() + ": " + summary(job) + "\nkeys:\n");
        job.keys().forEach((k, v) -> sb.append(String.format("  %-17s %s%n", k, v)));
        COMMON.forEach((k, v) -> {
            if (!k.equals(JobRunner.FAIL_ONCE)) sb.append(String.format("  %-17s %s%n", k, v));
        });
        return sb.toString();
    }
}

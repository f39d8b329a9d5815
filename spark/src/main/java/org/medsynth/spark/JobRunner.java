package org.medsynth.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a {@link SparkJob}: plans the items on the driver, leaves out those whose outputs are all there (complete:
 * outputs only ever appear by an atomic rename of a finished file), runs one Spark task per remaining item, writes the
 * status table, and lets the job combine the rows.
 *
 * <p>On an executor every item is processed in a fresh work folder and its outputs are committed only when all are
 * written, so neither a bad file nor a killed or retried task attempt leaves a partial output behind. A bad item
 * (UserInputException: unreadable file, wrong kind of image, ...) or any other exception of MedSynth's code becomes a
 * {@code failed} row with its reason; only errors of the JVM (out of memory, ...) fail the task, which Spark then
 * retries (spark.task.maxFailures).
 */
public final class JobRunner {

    /** Test hook: with -Dmedsynth.spark.testing=true, key fail_once=ITEM kills the first attempt of that item's task midway. */
    static final String FAIL_ONCE = "fail_once";

    private JobRunner() { }

    /** The summary of a run. */
    public record Summary(String job, List<ItemResult> results, String statusTable, double seconds) {
        public long count(String status) {
            return results.stream().filter(r -> r.status().equals(status)).count();
        }

        public String line() {
            long executors = results.stream().map(ItemResult::executor).filter(e -> !e.isEmpty()).distinct().count();
            return String.format(java.util.Locale.ROOT, "%s: %d items: %d written, %d complete before, %d skipped, %d failed in %.1f s%s; status table %s",
                    job, results.size(), count(ItemResult.WRITTEN), count(ItemResult.COMPLETE), count(ItemResult.SKIPPED), count(ItemResult.FAILED),
                    seconds, executors == 0 ? "" : " on " + executors + " executor" + (executors == 1 ? "" : "s"), statusTable);
        }
    }

    public static Summary run(JavaSparkContext sc, SparkJob job, JobArgs args) {
        long t0 = System.nanoTime();
        imageJPreferences();
        job.init(args);
        Path tmp;
        try {
            tmp = Files.createTempDirectory("medsynth-spark-driver");
        } catch (IOException e) {
            throw new UserInputException("Cannot create a temporary folder: " + e.getMessage());
        }
        Storage storage = new Storage(sc.hadoopConfiguration());
        Driver driver = new Driver(sc, args, storage, tmp);
        try {
            String output = job.output();
            boolean overwrite = args.getBoolean("overwrite", false);
            List<Item> items = job.plan(driver);
            storage.mkdirs(output);
            checkSettings(driver, job, output, overwrite);

            List<ItemResult> results = new ArrayList<>();
            List<Item> todo = new ArrayList<>();
            Map<String, Set<String>> listings = new HashMap<>();
            for (Item it : items) {
                if (!overwrite && !it.outputs().isEmpty() && it.outputs().stream().allMatch(o -> exists(storage, output, o, listings))) {
                    results.add(ItemResult.driver(it, ItemResult.COMPLETE, "complete from an earlier run"));
                } else {
                    todo.add(it);
                }
            }
            String unit = job.unit();
            driver.log(job.name() + ": " + items.size() + " " + unit + ", " + (items.size() - todo.size()) + " complete from an earlier run, "
                    + todo.size() + " to do on " + sc.master());
            if (!todo.isEmpty()) results.addAll(distribute(driver, job, storage, output, overwrite, todo));
            results.sort(Comparator.comparingInt(ItemResult::index));

            String status = Storage.absolute(args.get("status", Storage.resolve(output, "medsynth-" + job.name() + "-status.csv")));
            storage.writeString(status, statusCsv(results), tmp);
            job.finish(driver, results);
            cleanStaging(storage, output, items);
            Summary s = new Summary(job.name(), results, status, (System.nanoTime() - t0) / 1e9);
            driver.log(s.line());
            return s;
        } finally {
            try {
                Storage.deleteLocal(tmp);
            } catch (IOException ignored) {
                // a temporary folder
            }
        }
    }

    private static boolean exists(Storage storage, String output, String relative, Map<String, Set<String>> listings) {
        String target = Storage.resolve(output, relative);
        String parent = Storage.parent(target);
        Set<String> names = listings.computeIfAbsent(parent, p -> new HashSet<>(storage.listNames(p)));
        return names.contains(Storage.name(target));
    }

    private static List<ItemResult> distribute(Driver driver, SparkJob job, Storage storage, String output, boolean overwrite, List<Item> todo) {
        JavaSparkContext sc = driver.sc();
        String unit = job.unit();
        LongAccumulator done = sc.sc().longAccumulator("MedSynth " + job.name() + ": " + unit + " done");
        String description = "MedSynth " + job.name() + ": " + todo.size() + " " + unit + " -> " + output;
        sc.setJobGroup("medsynth-" + job.name(), description, true);
        sc.setCallSite(description);
        long interval = (long) (1000 * driver.args().getDouble("progress_seconds", 10));
        ProgressListener progress = new ProgressListener(job.name(), unit, todo.size(), interval, driver::log);
        sc.sc().addSparkListener(progress);
        String failOnce = Boolean.getBoolean("medsynth.spark.testing") ? driver.args().get(FAIL_ONCE, null) : null;
        try {
            return sc.parallelize(todo, todo.size())
                    .mapPartitions((Iterator<Item> it) -> runItems(it, job, storage, output, overwrite, failOnce, done))
                    .collect();
        } finally {
            progress.stop();
            sc.sc().removeSparkListener(progress);
            sc.clearCallSite();
            sc.clearJobGroup();
        }
    }

    /** Executor side: the items of one task. */
    static Iterator<ItemResult> runItems(Iterator<Item> items, SparkJob job, Storage storage, String output, boolean overwrite, String failOnce,
                                         LongAccumulator done) {
        org.medsynth.nn.Nd4jDebugFilter.install();
        imageJPreferences();
        TaskContext tc = TaskContext.get();
        int attempt = tc == null ? 0 : tc.attemptNumber();
        String executor = executorName();
        Path localTmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<ItemResult> out = new ArrayList<>();
        while (items.hasNext()) {
            Item item = items.next();
            long t0 = System.nanoTime();
            Path work = storage.workFolder(output, localTmp);
            Path inputs;
            try {
                inputs = Files.createTempDirectory(localTmp, "medsynth-in");
            } catch (IOException e) {
                throw new UserInputException("Cannot create a temporary folder in " + localTmp + ": " + e.getMessage());
            }
            try {
                Outcome o;
                try {
                    o = job.process(item, new Work(storage, work, inputs));
                } catch (UserInputException e) {
                    o = Outcome.failed(e.getMessage());
                } catch (Exception e) {
                    System.err.println("[MedSynth] " + job.name() + ": " + item.id() + ": internal error");
                    e.printStackTrace();
                    o = Outcome.failed("internal error: " + e);
                }
                List<String> written = List.of();
                if (o.status().equals(ItemResult.WRITTEN)) {
                    for (String rel : item.outputs()) {
                        if (!Files.exists(work.resolve(rel))) o = Outcome.failed("internal error: " + rel + " was not written");
                    }
                }
                if (o.status().equals(ItemResult.WRITTEN)) {
                    boolean first = true;
                    for (String rel : item.outputs()) {
                        storage.commit(work.resolve(rel), Storage.resolve(output, rel), true);
                        if (first && item.id().equals(failOnce) && attempt == 0) {
                            throw new IllegalStateException("fail_once: the first attempt of " + item.id() + " stops after one output");
                        }
                        first = false;
                    }
                    written = item.outputs();
                }
                done.add(1);
                out.add(new ItemResult(item.index(), item.id(), o.status(), o.detail(), written, (System.nanoTime() - t0) / 1e9, executor, attempt,
                        o.values()));
            } finally {
                try {
                    Storage.deleteLocal(work);
                    Storage.deleteLocal(inputs);
                } catch (IOException ignored) {
                    // temporary folders; the staging folder is removed at the end of the job
                }
            }
        }
        return out.iterator();
    }

    private static volatile boolean prefsLoaded;

    /**
     * Loads ImageJ's preferences once per JVM, as ImageJ, Fiji and the headless launcher do at start, so that files are
     * written as a MedSynth command in ImageJ on the same machine writes them: e.g. TIFF byte order (Edit > Options >
     * Input/Output; ImageJ's default is big-endian, while a JVM that never loaded the preferences writes little-endian)
     * and the CSV layout of tables. -Dmedsynth.imagej.prefs=none leaves ImageJ's built-in values.
     */
    public static void imageJPreferences() {
        if (prefsLoaded) return;
        synchronized (JobRunner.class) {
            if (prefsLoaded) return;
            if (!"none".equals(System.getProperty("medsynth.imagej.prefs"))) ij.Prefs.load(null, null);
            prefsLoaded = true;
        }
    }

    static String executorName() {
        String id = SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
        try {
            return id + "@" + InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return id;
        }
    }

    /** The status table: one row per item. */
    static String statusCsv(List<ItemResult> results) {
        Csv csv = new Csv(List.of("item", "status", "detail", "outputs", "seconds", "executor", "attempt"));
        for (ItemResult r : results) {
            csv.row(List.of(r.item(), r.status(), r.detail(), String.join(";", r.outputs()), Math.round(r.seconds() * 1000) / 1000.0,
                    r.executor(), r.attempt()));
        }
        return csv.text();
    }

    /**
     * The settings that decide what the outputs contain, kept in {@code medsynth-JOB-settings.csv} in the output folder:
     * a re-run with other settings must not mix its outputs with the earlier ones (unless overwrite=true redoes all).
     */
    private static void checkSettings(Driver driver, SparkJob job, String output, boolean overwrite) {
        Map<String, String> now = new LinkedHashMap<>();
        for (String k : job.outputKeys()) now.put(k, driver.args().get(k, ""));
        now.putAll(fingerprint(job));
        String file = Storage.resolve(output, "medsynth-" + job.name() + "-settings.csv");
        Csv csv = new Csv(List.of("key", "value"));
        now.forEach((k, v) -> csv.row(List.of(k, v)));
        if (driver.storage().exists(file) && !overwrite) {
            Map<String, String> before = new LinkedHashMap<>();
            List<List<String>> rows = Csv.parse(driver.storage().readString(file));
            for (List<String> r : rows.subList(Math.min(1, rows.size()), rows.size())) if (r.size() >= 2) before.put(r.get(0), r.get(1));
            Set<String> keys = new TreeSet<>(now.keySet());
            keys.addAll(before.keySet());
            for (String k : keys) {
                String a = before.getOrDefault(k, ""), b = now.getOrDefault(k, "");
                if (!a.equals(b)) {
                    throw new UserInputException("The output folder " + output + " holds " + job.name() + " results made with " + k + "="
                            + (a.isEmpty() ? "(none)" : a) + ", but now " + k + "=" + (b.isEmpty() ? "(none)" : b)
                            + ". Choose another output folder, or add overwrite=true to redo every item with the new settings.");
                }
            }
            return;
        }
        driver.storage().writeString(file, csv.text(), driver.tmp());
    }

    private static Map<String, String> fingerprint(SparkJob job) {
        return job instanceof Fingerprinted f ? f.fingerprint() : Map.of();
    }

    /** A job whose outputs also depend on inputs other than its keys (a model file's contents). */
    public interface Fingerprinted {
        Map<String, String> fingerprint();
    }

    private static void cleanStaging(Storage storage, String output, List<Item> items) {
        Set<String> folders = new TreeSet<>();
        folders.add(output);
        for (Item it : items) for (String o : it.outputs()) folders.add(Storage.parent(Storage.resolve(output, o)));
        for (String f : folders) {
            for (String n : storage.listNames(f)) {
                if (n.startsWith(Storage.STAGING)) storage.deleteRecursively(Storage.resolve(f, n));
            }
        }
    }
}

package org.medsynth.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MedSynth job on Spark. The driver calls {@link #plan} (check the arguments, list the items; fields set there travel
 * to the executors with the job), the executors call {@link #process} for every item that is not complete yet, and the
 * driver calls {@link #finish} with every item's row (tables that combine the items). Jobs call MedSynth's workflow
 * layer, never its commands, and make the same calls the matching command makes, so the outputs are the same.
 */
public abstract class SparkJob implements Serializable {
    private static final long serialVersionUID = 1L;

    protected JobArgs args;

    /** The job's name on the command line: segment, synthesize, generate, sketch, evaluate, sweep. */
    public abstract String name();

    /** What an item is, plural, for progress lines ("files", "images", "runs"). */
    public abstract String unit();

    /** The job's own keys and what they mean (the common keys are added by {@link MedSynthSpark}). */
    public abstract Map<String, String> keys();

    /** The keys that change what an output contains: a re-run into the same folder must keep them. */
    public abstract List<String> outputKeys();

    /** Driver: checks the arguments and lists the items. */
    public abstract List<Item> plan(Driver driver);

    /** Executor: one item; outputs go to {@code work.output(name)}. Throws UserInputException for a bad item. */
    public abstract Outcome process(Item item, Work work) throws Exception;

    /** Driver: after all items, with one row per item in item order. */
    public void finish(Driver driver, List<ItemResult> results) { }

    /** The output folder (a location). */
    public String output() {
        return Storage.absolute(args.required("output", "the output folder"));
    }

    void init(JobArgs a) {
        this.args = a;
    }

    public JobArgs args() {
        return args;
    }

    protected static Map<String, String> keyList(String... keyAndMeaning) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyAndMeaning.length; i += 2) m.put(keyAndMeaning[i], keyAndMeaning[i + 1]);
        return m;
    }
}

package org.medsynth.spark;

import org.apache.spark.api.java.JavaSparkContext;

import java.nio.file.Path;

/** What a job's driver side gets: the Spark context, the arguments, the storage and a local scratch folder. */
public record Driver(JavaSparkContext sc, JobArgs args, Storage storage, Path tmp) {
    /** Prints a line on the driver's console. */
    public void log(String line) {
        System.out.println("[MedSynth] " + line);
        System.out.flush();
    }
}

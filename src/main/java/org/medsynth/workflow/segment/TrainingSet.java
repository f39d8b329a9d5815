package org.medsynth.workflow.segment;

import ij.ImagePlus;
import org.medsynth.data.LabeledImage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaded and preprocessed cases a segmenter trains and validates on ({@link TrainingSetBuilder}).
 *
 * @param cases          training cases (real and synthetic), preprocessed
 * @param files          the image file of every training case, for saying which images a step's patches came from
 * @param validation     held-out real cases
 * @param channels       channels (modalities) of every image
 * @param realPairs      real training pairs
 * @param syntheticNames names of the synthetic training pairs
 * @param augmentation   the synthetic-data description ({@link SegmenterTraining.Augmentation#describe()}); null = none
 * @param notes          what loading found (skipped cases, replaced values, window warnings, ...)
 */
public record TrainingSet(List<LabeledImage> cases, List<String> files, List<ValidationCase> validation, int channels, int realPairs,
                   List<String> syntheticNames, Map<String, Object> augmentation, List<String> notes) {

    /** A held-out case: preprocessed image and its labels (values 0..classes-1). */
    public record ValidationCase(String name, ImagePlus image, float[] labels) { }

    public TrainingSet {
        cases = List.copyOf(cases);
        files = List.copyOf(files);
        validation = List.copyOf(validation);
        syntheticNames = List.copyOf(syntheticNames);
        augmentation = augmentation == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(augmentation));
        notes = List.copyOf(notes);
    }

    /** Voxels of all training cases. */
    public long voxels() {
        long n = 0;
        for (LabeledImage li : cases) n += (long) li.width() * li.height() * li.depth();
        return n;
    }

    /** Real and synthetic training pairs, validation pairs and the augmentation description. */
    public SegmenterTraining.TrainingData summary() {
        return new SegmenterTraining.TrainingData(realPairs, syntheticNames.size(), validation.size(), augmentation);
    }

    /** What the model records of the synthetic data: its description, the pair counts and names; null = none. */
    public Map<String, Object> augmentationRecord() {
        if (augmentation == null) return null;
        Map<String, Object> a = new LinkedHashMap<>(augmentation);
        a.put("realTrainingPairs", realPairs);
        a.put("syntheticTrainingPairs", syntheticNames.size());
        a.put("syntheticPairs", syntheticNames);
        List<String> names = new ArrayList<>();
        for (ValidationCase vc : validation) names.add(vc.name());
        a.put("validationPairs", names);
        return a;
    }
}

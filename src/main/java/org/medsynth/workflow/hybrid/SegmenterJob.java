package org.medsynth.workflow.hybrid;

import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.medsynth.util.Outputs;
import org.medsynth.workflow.segment.SegmenterSettings;
import org.medsynth.workflow.segment.SegmenterTraining;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * "Train Segmenter" from files: the segmenter trained on the pairs of two folders, with synthetic pairs
 * mixed in when a source is given ({@link SyntheticTrainingData}).
 */
public final class SegmenterJob {

    /**
     * What to train, checked when built.
     *
     * @param augmentWith a folder written by Augment Training Set or a 3D-MedGAN model .zip; null = real pairs only
     * @param editLabel   the label a 3D-MedGAN source edits before synthesis (0 = a random label of each map)
     */
    public record Request(SegmenterSettings settings, Path images, Path labels, Path model, boolean resume, boolean replaceNonFinite,
                          Path augmentWith, SyntheticMix mix, int editLabel) {
        public Request {
            if (images == null || labels == null) {
                throw new UserInputException("Give the folder of training images (images=...) and the folder of label maps (labels=...).");
            }
            if (model == null) throw new UserInputException("Give the model file to write, e.g. model=/path/to/liver-mlunet.zip.");
        }
    }

    /**
     * How it ended.
     *
     * @param synthetic the synthetic data trained on; null = real pairs only
     * @param notes     what the user should read: on the synthetic data, then on the training
     */
    public record Outcome(SegmenterTraining.Result result, SyntheticTrainingData synthetic, List<String> notes) { }

    private SegmenterJob() { }

    public static Outcome run(Request r, Progress progress) {
        // missing input folders and an unwritable model folder are found now, not after the synthesis of the training pairs
        InputChecks.inputFolder(r.images(), "images");
        InputChecks.inputFolder(r.labels(), "labels");
        Outputs.file(r.model(), "model");
        List<String> notes = new ArrayList<>();
        SyntheticTrainingData synthetic = SyntheticTrainingData.of(r.augmentWith(), r.mix(), r.model(), r.settings().classes(),
                SyntheticTrainingData.generation(r.editLabel(), r.settings().seed()), notes);
        SegmenterTraining.Result result = SegmenterTraining.run(r.settings(), r.images(), r.labels(), synthetic, r.model(), r.resume(),
                r.replaceNonFinite(), progress);
        if (synthetic != null) notes.addAll(synthetic.notes());
        notes.addAll(result.notes());
        return new Outcome(result, synthetic, notes);
    }
}

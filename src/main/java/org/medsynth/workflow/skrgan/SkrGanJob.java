package org.medsynth.workflow.skrgan;

import org.medsynth.data.SketchImageDataset;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.nn.Backend;
import org.medsynth.core.Progress;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.medsynth.util.Outputs;
import org.medsynth.workflow.validate.RunLock;
import org.medsynth.workflow.training.LossHistory;
import org.medsynth.workflow.training.TrainingRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * "Train SkrGAN" from files: reads the images (extracting sketch drafts or reading paired ones),
 * trains with checkpoints next to the model ({@code <model>-checkpoint.zip}), writes the model
 * atomically at the end, and the loss curves as {@code <model>.losses.csv} and {@code .png}.
 */
public final class SkrGanJob {

    /** How the training ended. */
    public record Outcome(Path model, int completedSteps, int totalSteps, boolean cancelled, LossHistory history,
                          Path lossPlot, double seconds) { }

    /** Where and how. */
    public record Request(Path images, Path sketches, Path model, SkrGanSettings settings, SkrGanTraining.Stage stage,
                          int augment, boolean resume, int checkpointEvery, SketchParameters sketchParameters) { }

    private SkrGanJob() { }

    public static Path checkpointOf(Path model) {
        String name = model.getFileName().toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
        return model.resolveSibling(base + "-checkpoint.zip");
    }

    public static Outcome run(Request r, Progress progress) {
        Backend.require();
        Path model = checkModelPath(r.model());
        InputChecks.inputFolder(r.images(), "images");
        if (r.sketches() != null) InputChecks.inputFolder(r.sketches(), "sketches");
        Outputs.file(model, "model");
        try (RunLock lock = RunLock.acquire(model, "Train SkrGAN")) {
            return train(r, model, progress);
        }
    }

    private static Outcome train(Request r, Path model, Progress progress) {
        Path checkpoint = checkpointOf(model);
        boolean resuming = r.resume() && Files.exists(checkpoint);
        boolean existed = Files.exists(model);
        if (existed && !resuming && r.stage() == SkrGanTraining.Stage.BOTH) {
            throw new UserInputException("The model " + model + " exists already. Choose another model file, train one "
                    + "stage (stage=sketch or stage=render keeps the other stage's weights), or delete it first.");
        }
        // a checkpoint of an earlier build goes on with that build's up-sampling, sketch shrinking and growth
        SkrGanSettings settings = resuming ? r.settings().withBuildChoicesOf(savedSettings(checkpoint)) : r.settings();
        progress.report(0, "reading training images");
        SketchImageDataset data = SketchImageDataset.load(r.images(), r.sketches(), settings.resolution(),
                settings.rgb(), r.sketchParameters(), r.augment(), settings.seed(), settings.sketchShrink(), progress);
        SkrGanTraining training = new SkrGanTraining(settings, data, r.stage());
        if (Files.exists(model) && !resuming) training.initFrom(model);
        TrainingRunner runner = new TrainingRunner(checkpoint, model, Math.max(1, r.checkpointEvery()),
                settings.architecture().equals("skrgan") ? "SkrGAN" : settings.architecture());
        long t0 = System.nanoTime();
        TrainingRunner.Result result = runner.run(training, r.resume(), progress);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!result.cancelled()) {
            try {
                // a model that existed at the start is this training's own (stage=sketch/render, resume): replace it;
                // otherwise create-or-fail, so that a model another run wrote meanwhile is never overwritten
                if (existed) training.saveModel(model, result.completedSteps());
                else training.saveNewModel(model, result.completedSteps());
                Files.deleteIfExists(checkpoint);
            } catch (IOException e) {
                throw new UserInputException(Outputs.writeFailed(model, e).getMessage() + " The checkpoint " + checkpoint.getFileName()
                        + " is kept: fix the problem, then " + TrainingRunner.RESUME + ".", e);
            }
        }
        return new Outcome(model, result.completedSteps(), training.totalSteps(), result.cancelled(), result.history(),
                runner.lossPlot(), seconds);
    }

    private static SkrGanSettings savedSettings(Path checkpoint) {
        return SkrGanTraining.checkpointSettings(ModelArchive.load(checkpoint), checkpoint);
    }

    static Path checkModelPath(Path model) {
        if (model == null) throw new UserInputException("Choose a model file to write, e.g. model=/data/skrgan-fundus.zip");
        if (!model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            throw new UserInputException("The model file must end in .zip (it is a zip archive): " + model);
        }
        Path dir = model.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) throw new UserInputException("The folder of the model file does not exist: " + dir);
        return model.toAbsolutePath();
    }
}

package org.medsynth.workflow;

import org.medsynth.core.UserInputException;
import org.medsynth.core.Progress;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.sketch.SketchExtractor;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.image.InputChecks;
import org.medsynth.util.OutputWriteException;
import org.medsynth.util.Outputs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sketch extraction over a folder: every file ImageJ or MedSynth can open is turned into
 * {@code <name>-sketch.tif} in the output folder; the others are skipped with the reason.
 */
public final class SketchBatch {

    /** What happened to one input file. */
    public record Outcome(String file, boolean written, String detail) { }

    private final SketchExtractor extractor;

    public SketchBatch(SketchParameters params) {
        this.extractor = new SketchExtractor(params);
    }

    public List<Outcome> run(Path input, Path output, Progress progress) {
        InputChecks.inputFolder(input, "input");
        if (output == null) throw new UserInputException("Choose an output folder for the sketches.");
        if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new UserInputException("The output folder must differ from the input folder, "
                    + "so that no input image can be overwritten.");
        }
        Outputs.folder(output, "output");
        List<Path> files = ImageFiles.listFiles(input);
        List<Outcome> outcomes = new ArrayList<>();
        int written = 0;
        for (int i = 0; i < files.size(); i++) {
            progress.checkCancelled();
            Path f = files.get(i);
            progress.report((double) i / files.size(), f.getFileName().toString());
            if (!ImageFiles.looksLikeImage(f)) {
                outcomes.add(new Outcome(f.getFileName().toString(), false, "skipped: not an image file"));
                continue;
            }
            try {
                Path target = output.resolve(ImageFiles.baseName(f) + "-sketch.tif");
                if (Files.exists(target)) throw Outputs.writeFailed(target, new java.nio.file.FileAlreadyExistsException(target.toString()));
                ImagePlus imp = ImageFiles.open(f);
                ImagePlus sketch = extractor.extract(imp, Progress.NONE);
                ImageFiles.createTiff(sketch, target);
                outcomes.add(new Outcome(f.getFileName().toString(), true, target.getFileName().toString()));
                written++;
            } catch (OutputWriteException e) {
                if (e.stopsRun()) {
                    throw new OutputWriteException(e.getMessage() + " Sketches written before: " + written + " of " + files.size() + " files.",
                            true, e);
                }
                outcomes.add(new Outcome(f.getFileName().toString(), false, "skipped: " + e.getMessage()));
            } catch (UserInputException e) {
                outcomes.add(new Outcome(f.getFileName().toString(), false, "skipped: " + e.getMessage()));
            }
        }
        progress.report(1.0, outcomes.stream().filter(Outcome::written).count() + " sketches written");
        return outcomes;
    }
}

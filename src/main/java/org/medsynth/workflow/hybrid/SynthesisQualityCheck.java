package org.medsynth.workflow.hybrid;

import org.medsynth.metrics.ConfusionCounts;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.SynthesisQuality;
import org.medsynth.workflow.segment.Segmenter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * "MedSynth Check Synthesis Quality": the paper's quality check of 3D-MedGAN (section V.D.1, Fig. 3) with
 * a MedSynth segmentation model. Every label map of a folder is turned into a synthetic volume (noise
 * seed {@code seed + i} for the i-th map in name order), the volume is segmented with a segmenter trained on
 * real data, and the Dice of each label against the label map is reported ({@link SynthesisQuality}).
 * With a folder of the matching real images, the same segmenter's Dice on the real image is reported
 * next to it, so the two can be compared as in Fig. 3.
 */
public final class SynthesisQualityCheck {

    /** Dice of one label of one label map on the synthetic volume (and on the real image, NaN without one). */
    /**
     * @param syntheticMean mean calibrated intensity (HU for CT) of the synthetic volume inside the label (NaN if absent)
     * @param realMean      the same in the real image (NaN without one): a synthesis that places the anatomy right
     *                      but at the wrong intensity fails a segmenter trained on a fixed intensity window
     */
    public record Row(String labelMap, int label, String className, double dice, double realDice, long truthVoxels, long predictedVoxels,
                      double syntheticMean, double realMean) {
        public Row(String labelMap, int label, String className, double dice, double realDice, long truthVoxels, long predictedVoxels) {
            this(labelMap, label, className, dice, realDice, truthVoxels, predictedVoxels, Double.NaN, Double.NaN);
        }
    }

    /** Synthesis and segmentation settings; {@code segmenterTile} null = the segmenter's training patch size. */
    public record Options(MedGanModel.Options synthesis, int[] segmenterTile, double segmenterOverlap, Path output) { }

    private SynthesisQualityCheck() { }

    public static List<Row> run(Path medganModel, Path segmenterModel, Path labelMaps, Path realImages, Options o, Progress progress) {
        if (medganModel == null || segmenterModel == null || labelMaps == null) {
            throw new UserInputException("Give the 3D-MedGAN model (model=...), the segmenter (segmenter=...) and the folder of label maps (labels=...).");
        }
        if (!Files.isDirectory(labelMaps)) throw new UserInputException("The label-map folder " + labelMaps + " does not exist.");
        List<Path> files = new ArrayList<>();
        for (Path p : ImageFiles.listFiles(labelMaps)) if (ImageFiles.looksLikeImage(p)) files.add(p);
        if (files.isEmpty()) throw new UserInputException("The folder " + labelMaps + " holds no label maps (image files).");
        Map<String, Path> real = new TreeMap<>();
        if (realImages != null) {
            if (!Files.isDirectory(realImages)) throw new UserInputException("The image folder " + realImages + " does not exist.");
            for (Path p : ImageFiles.listFiles(realImages)) if (ImageFiles.looksLikeImage(p)) real.put(ImageFiles.baseName(p), p);
        }
        MedGanModel model = MedGanModel.load(medganModel, "Check Synthesis Quality (model=)");
        Segmenter segmenter = new Segmenter(org.medsynth.workflow.segment.SegmenterModel.load(segmenterModel, "Check Synthesis Quality (segmenter=)"));
        int classes = segmenter.model().network().classes();
        List<String> names = segmenter.model().classNames();
        for (int v : model.encoding().values()) {
            if (v < 0 || v >= classes) {
                throw new UserInputException("The 3D-MedGAN model knows the labels " + model.encoding().describe() + " but the segmenter "
                        + segmenterModel.getFileName() + " has " + classes + " classes (0.." + (classes - 1) + "). Use a segmenter trained on"
                        + " label maps with the same labels.");
            }
        }
        if (o.output() != null) {
            org.medsynth.util.Outputs.folder(o.output(), "output");
            // refuse before any synthesis if an output exists; the create-or-fail writes guard against a run writing meanwhile
            for (Path f : files) {
                for (String suffix : new String[]{"-synthetic.tif", "-synthetic-labels.tif"}) {
                    Path t = o.output().resolve(ImageFiles.baseName(f) + suffix);
                    if (Files.exists(t)) {
                        throw org.medsynth.util.Outputs.writeFailed(t, new java.nio.file.FileAlreadyExistsException(t.toString()));
                    }
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        SynthesisQuality.Segmenter seg = img -> segmenter.segment(img, o.segmenterTile(), o.segmenterOverlap(), false, Progress.NONE).labels();
        for (int i = 0; i < files.size(); i++) {
            progress.checkCancelled();
            Path f = files.get(i);
            String name = ImageFiles.baseName(f);
            ImagePlus lm = ImageFiles.open(f);
            lm.setTitle(name);
            int at = i;
            Progress inner = new Progress() {
                @Override public void report(double fr, String m) { progress.report((at + 0.9 * fr) / files.size(), m); }
                @Override public boolean isCancelled() { return progress.isCancelled(); }
            };
            MedGanModel.Options so = new MedGanModel.Options(o.synthesis().seed() + i, o.synthesis().tile(), o.synthesis().overlap(),
                    o.synthesis().blend(), o.synthesis().margin());
            ImagePlus[] kept = new ImagePlus[2];
            SynthesisQuality.Segmenter keeping = img -> {
                kept[0] = img;
                kept[1] = seg.segment(img);
                return kept[1];
            };
            List<SynthesisQuality.Row> synth = SynthesisQuality.evaluate(model, List.of(lm), keeping, so, inner);
            if (o.output() != null) {
                ImageFiles.createTiff(kept[0], o.output().resolve(name + "-synthetic.tif"));
                ImageFiles.createTiff(kept[1], o.output().resolve(name + "-synthetic-labels.tif"));
            }
            int[] realPred = null;
            ImagePlus realImage = null;
            Path image = real.get(name);
            if (image != null) {
                progress.report((at + 0.95) / files.size(), name + ": segmenting the real image");
                realImage = ImageFiles.open(image);
                ImagePlus realSeg = seg.segment(realImage);
                LabelVolume pv = LabelVolume.from(realSeg);
                if (pv.values().length != LabelVolume.from(lm).values().length) {
                    throw new UserInputException("The real image " + image.getFileName() + " and the label map " + f.getFileName()
                            + " differ in size; give the images the label maps belong to (or leave images empty).");
                }
                realPred = pv.values();
            }
            int[] truth = LabelVolume.from(lm).values(), pred = LabelVolume.from(kept[1]).values();
            Map<Integer, SynthesisQuality.Row> byLabel = new TreeMap<>();
            for (SynthesisQuality.Row r : synth) byLabel.put(r.label(), r);
            for (int label : model.encoding().values()) {
                if (label == 0) continue;
                // labels absent from this map are reported too: predicting them is a false positive (Dice 0; NaN if absent from both)
                SynthesisQuality.Row r = byLabel.get(label);
                double d = r != null ? r.dice() : dice(truth, pred, label);
                long tv = r != null ? r.truthVoxels() : 0, pv = r != null ? r.predictedVoxels() : count(pred, label);
                double realDice = realPred == null ? Double.NaN : dice(truth, realPred, label);
                double synMean = meanIntensity(kept[0], truth, label);
                double realMean = realImage == null ? Double.NaN : meanIntensity(realImage, truth, label);
                rows.add(new Row(name, label, label < names.size() ? names.get(label) : "label " + label, d, realDice, tv, pv,
                        synMean, realMean));
            }
        }
        progress.report(1, "checked " + files.size() + " synthetic volumes");
        return rows;
    }

    /**
     * Mean calibrated value (ImageJ's calibration function: HU for a CT with a -32768 offset or DICOM rescale;
     * 32-bit values as they are) of the first channel of {@code image} where {@code labels} (z-major, as
     * {@link LabelVolume#values()}) equals {@code label}; NaN where the label is absent or the sizes differ.
     */
    public static double meanIntensity(ImagePlus image, int[] labels, int label) {
        int w = image.getWidth(), h = image.getHeight(), d = image.getNSlices();
        if ((long) w * h * d != labels.length || image.getBitDepth() == 24) return Double.NaN;
        ij.measure.Calibration cal = image.getCalibration();
        ImageStack stack = image.getStack();
        double sum = 0;
        long n = 0;
        for (int z = 0; z < d; z++) {
            ImageProcessor ip = stack.getProcessor(image.getStackIndex(1, z + 1, 1));
            boolean calibrated = !(ip instanceof FloatProcessor) && cal.calibrated();
            int off = z * w * h;
            for (int i = 0; i < w * h; i++) {
                if (labels[off + i] != label) continue;
                double v = ip instanceof FloatProcessor ? ip.getf(i) : calibrated ? cal.getCValue(ip.get(i)) : ip.get(i);
                if (Double.isNaN(v)) continue;
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static long count(int[] v, int label) {
        long n = 0;
        for (int x : v) if (x == label) n++;
        return n;
    }

    /** Dice of one label (NaN when it is absent from both). */
    public static double dice(int[] truth, int[] pred, int label) {
        return ConfusionCounts.ofLabel(truth, pred, label).diceOrNaN();
    }
}

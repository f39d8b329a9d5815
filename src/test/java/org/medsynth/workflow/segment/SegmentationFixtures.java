package org.medsynth.workflow.segment;

import ij.ImagePlus;
import ij.io.FileSaver;
import org.medsynth.testutil.Phantoms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Folders of phantom images and label maps for the segmentation workflow tests. */
final class SegmentationFixtures {
    private SegmentationFixtures() { }

    /** Writes n phantoms (size x size, depth slices) as images/caseK.tif and labels/caseK.tif under root. */
    static void writePairs(Path root, int n, int size, int depth, long seed) throws IOException {
        Path img = Files.createDirectories(root.resolve("images"));
        Path lab = Files.createDirectories(root.resolve("labels"));
        Random r = new Random(seed);
        for (int k = 0; k < n; k++) {
            Phantoms.Phantom p = Phantoms.phantom(size, depth, 0.15, r);
            save(Phantoms.image(p, "case" + k), img.resolve("case" + k + ".tif"));
            save(Phantoms.labels(p, "case" + k), lab.resolve("case" + k + ".tif"));
        }
    }

    static void save(ImagePlus imp, Path file) {
        FileSaver fs = new FileSaver(imp);
        boolean ok = imp.getStackSize() > 1 ? fs.saveAsTiffStack(file.toString()) : fs.saveAsTiff(file.toString());
        if (!ok) throw new IllegalStateException("could not write " + file);
    }
}

package org.medsynth.data;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.process.ImageProcessor;
import org.medsynth.workflow.PhantomDataset;
import org.medsynth.core.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Re-creates the phantom sample data under {@code sample-data/} (run from the repository root):
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) org.medsynth.data.SampleDataMaker [retina.jpg]
 * </pre>
 * Writes 4 fundus phantoms (256 px, PNG, seeds 1-4) to sample-data/phantoms/fundus and 2 liver
 * phantoms (96 x 96 x 24, seeds 4-5) to sample-data/phantoms/liver; the target folders must not
 * exist yet. With the path of scikit-image's retina.jpg, also copies it to sample-data/fundus/
 * and writes the 512 x 512 version retina-512.png (ImageJ bilinear resize with averaging).
 */
public final class SampleDataMaker {

    private SampleDataMaker() { }

    public static void main(String[] args) throws Exception {
        Path root = Path.of("sample-data");
        PhantomDataset.writeFundus(root.resolve("phantoms/fundus"), 4, 256, 1, "png", Progress.NONE);
        // seeds 4 and 5 have 2 and 1 tumours (seeds 1-3 have none)
        PhantomDataset.writeLiver(root.resolve("phantoms/liver"), 2, 96, 96, 24, 4, Progress.NONE);
        if (args.length > 0) {
            Path retina = Path.of(args[0]);
            Path dir = Files.createDirectories(root.resolve("fundus"));
            Files.copy(retina, dir.resolve("retina.jpg"), StandardCopyOption.COPY_ATTRIBUTES);
            ImagePlus imp = new Opener().openImage(retina.toString());
            ImageProcessor ip = imp.getProcessor();
            ip.setInterpolationMethod(ImageProcessor.BILINEAR);
            ImageProcessor small = ip.resize(512, 512, true);
            if (!new FileSaver(new ImagePlus("retina-512", small)).saveAsPng(dir.resolve("retina-512.png").toString())) {
                throw new IllegalStateException("could not write retina-512.png");
            }
        }
    }
}

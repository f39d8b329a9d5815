package org.medsynth.workflow.segment;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.testutil.FormatFixtures;
import org.medsynth.testutil.Phantoms;
import org.medsynth.core.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Segmenter models (an MLU-Net and an IM-MLU-Net, both with batch norm) written by the model-format-1 build
 * (committed fixtures) still load and give the probabilities that build gave. Regenerate with {@code main}
 * only when the format version is raised.
 */
public class SegmenterModelCompatibilityTest {
    static final String[] NETWORKS = {"mlu-net", "im-mlu-net"};

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : FormatFixtures.sourceFolder(SegmenterModelCompatibilityTest.class);
        Path work = Files.createTempDirectory("medsynth-fixture");
        SegmentationFixtures.writePairs(work, 4, 16, 1, 9);
        ImagePlus input = Phantoms.image(Phantoms.phantom2d(20, 0.15, new Random(77)), "input.tif");
        FormatFixtures.saveTiff(input, dir.resolve("segmenter-input.tif"));
        for (String net : NETWORKS) {
            Path model = dir.resolve(net + ".zip");
            SegmenterTraining.run(SegmenterTrainingTest.tiny(net, new int[]{16, 16}, 3), work.resolve("images"), work.resolve("labels"),
                    model, false, Progress.NONE);
            Files.deleteIfExists(Path.of(model + ".ckpt"));
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) if (f.getFileName().toString().startsWith(net + ".zip.")) Files.delete(f);
            }
            Segmenter.Result r = Segmenter.load(model).segment(input, null, 0.5, true, Progress.NONE);
            FormatFixtures.saveTiff(r.probabilities(), dir.resolve(net + "-probabilities.tif"));
        }
    }

    @Test
    void format1ModelsSegmentAsTheBuildThatWroteThem() {
        Class<?> c = getClass();
        ImagePlus input = FormatFixtures.openTiff(FormatFixtures.resource(c, "segmenter-input.tif"));
        for (String net : NETWORKS) {
            Segmenter.Result r = Segmenter.load(FormatFixtures.resource(c, net + ".zip")).segment(input, null, 0.5, true, Progress.NONE);
            FormatFixtures.assertSameImage(FormatFixtures.openTiff(FormatFixtures.resource(c, net + "-probabilities.tif")), r.probabilities(), 1e-4);
        }
    }
}

package org.medsynth.data;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.testutil.TestImages;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PairedDatasetTest {

    @TempDir
    Path dir;

    private Path images, labels;

    private void folders() throws Exception {
        images = Files.createDirectories(dir.resolve("images"));
        labels = Files.createDirectories(dir.resolve("labels"));
    }

    private static void save(ImagePlus imp, Path p) {
        ImageFiles.saveTiff(imp, p);
    }

    @Test
    void matchesByBaseNameAndReportsUnmatchedAndDuplicateFiles() throws Exception {
        folders();
        ImagePlus img = TestImages.floatVolume(8, 6, 3, (x, y, z) -> x + y + z);
        ImagePlus lab = TestImages.labelVolume(8, 6, 3, (x, y, z) -> x > 4 ? 1 : 0);
        save(img, images.resolve("case01.tif"));
        save(lab, labels.resolve("case01.tif"));
        save(img, images.resolve("case02.tif"));
        Files.writeString(labels.resolve("case02.nii.gz"), "matched by name only in this test");
        save(img, images.resolve("case03.tif"));          // no label map
        save(lab, labels.resolve("case09.tif"));          // no image
        save(img, images.resolve("case04.tif"));
        save(lab, labels.resolve("case04.tif"));
        save(lab, labels.resolve("case04.zip"));          // two label maps named case04
        Files.writeString(images.resolve("notes.txt"), "not an image");

        PairedDataset ds = PairedDataset.scan(images, labels, 2);
        assertEquals(List.of("case01", "case02"), ds.pairs().stream().map(PairedDataset.Pair::name).toList());
        assertEquals("case02.nii.gz", ds.pairs().get(1).labels().getFileName().toString());
        String problems = String.join("\n", ds.problems());
        assertTrue(problems.contains("case03.tif has no label map"), problems);
        assertTrue(problems.contains("case09.tif has no image"), problems);
        assertTrue(problems.contains("case04") && problems.contains("case04.zip"), problems);
        assertFalse(problems.contains("notes"), problems);
        assertEquals(3, ds.problems().size());

        PairedDataset.Case c = ds.load(0);
        assertEquals("case01", c.image().getTitle());
        assertEquals(3, c.labels().getStackSize());
    }

    @Test
    void sizeMismatchAndBadLabelsNameTheFiles() throws Exception {
        folders();
        save(TestImages.floatVolume(8, 6, 3, (x, y, z) -> 1), images.resolve("a.tif"));
        save(TestImages.labelVolume(8, 6, 2, (x, y, z) -> 0), labels.resolve("a.tif"));
        save(TestImages.floatVolume(8, 6, 3, (x, y, z) -> 1), images.resolve("b.tif"));
        save(TestImages.labelVolume(8, 6, 3, (x, y, z) -> x == 5 && y == 2 && z == 1 ? 4 : 1), labels.resolve("b.tif"));
        save(TestImages.floatVolume(8, 6, 1, (x, y, z) -> 1), images.resolve("c.tif"));
        ImagePlus interpolated = TestImages.floatVolume(8, 6, 1, (x, y, z) -> x == 3 ? 0.5 : 1);
        save(interpolated, labels.resolve("c.tif"));
        save(TestImages.floatVolume(8, 6, 1, (x, y, z) -> 1), images.resolve("d.tif"));
        save(TestImages.floatVolume(8, 6, 1, (x, y, z) -> 2), labels.resolve("d.tif")); // whole-number floats are fine

        PairedDataset ds = PairedDataset.scan(images, labels, 3);
        UserInputException size = assertThrows(UserInputException.class, () -> ds.load(0));
        assertTrue(size.getMessage().contains("a.tif") && size.getMessage().contains("8 x 6 x 3")
                && size.getMessage().contains("8 x 6 x 2"), size.getMessage());
        UserInputException range = assertThrows(UserInputException.class, () -> ds.load(1));
        assertTrue(range.getMessage().contains("b.tif") && range.getMessage().contains("label 4")
                && range.getMessage().contains("x=5, y=2, z=1") && range.getMessage().contains("0..2"), range.getMessage());
        UserInputException frac = assertThrows(UserInputException.class, () -> ds.load(2));
        assertTrue(frac.getMessage().contains("c.tif") && frac.getMessage().contains("0.5"), frac.getMessage());
        assertEquals(2, (int) ds.load(3).labels().getProcessor().getf(0));
        assertEquals(3, ds.check(Progress.NONE).size());
    }

    @Test
    void noPairAtAllIsAClearError() throws Exception {
        folders();
        save(TestImages.floatVolume(4, 4, 1, (x, y, z) -> 1), images.resolve("x.tif"));
        save(TestImages.labelVolume(4, 4, 1, (x, y, z) -> 0), labels.resolve("y.tif"));
        UserInputException e = assertThrows(UserInputException.class, () -> PairedDataset.scan(images, labels, 2));
        assertTrue(e.getMessage().contains("matched by file name"), e.getMessage());
        assertThrows(UserInputException.class, () -> PairedDataset.scan(dir.resolve("missing"), labels, 2));
        assertThrows(UserInputException.class, () -> PairedDataset.scan(images, labels, 1));
    }
}

package org.medsynth.image.preprocess;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.testutil.TestImages;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SliceCropTest {

    /** Organ (label 1) in slices lo..hi, with a tumour (label 2) in its first 5 slices; image value = slice index. */
    private static ImagePlus[] pair(int depth, int lo, int hi) {
        ImagePlus img = TestImages.floatVolume(6, 5, depth, (x, y, z) -> z);
        ImagePlus lab = TestImages.labelVolume(6, 5, depth, (x, y, z) -> z < lo || z > hi ? 0
                : z < lo + 5 && x == 0 ? 2 : x < 3 ? 1 : 0);
        return new ImagePlus[]{img, lab};
    }

    @Test
    void centredWindowsSitOnTheOrgan() {
        ImagePlus[] p = pair(100, 10, 69);
        // extent centre of 10..69 is 39.5: a 48-slice window 16..63
        assertEquals(16, new SliceCrop(48, 1, CropPlacement.EXTENT_CENTER).firstSlice(LabelVolume.from(p[1]), null));
        // label 2 only in 10..14 (5 slices): too few for 48, enough for 4
        assertEquals(-1, new SliceCrop(48, 2, CropPlacement.EXTENT_CENTER).firstSlice(LabelVolume.from(p[1]), null));
        assertEquals(11, new SliceCrop(4, 2, CropPlacement.EXTENT_CENTER).firstSlice(LabelVolume.from(p[1]), null));
        SliceCrop.Outcome o = new SliceCrop(48, 0, CropPlacement.CENTER_OF_MASS).apply(p[0], p[1], null);
        assertFalse(o.skipped());
        assertEquals(48, o.image().getNSlices());
        assertEquals(48, o.labels().getStackSize());
        // the crop holds exactly the source slices first..first+47 of both
        for (int k = 0; k < 48; k++) {
            assertEquals(o.firstSlice() + k, o.image().getStack().getProcessor(k + 1).getf(0), 0f);
            assertArrayEquals((byte[]) p[1].getStack().getPixels(o.firstSlice() + k + 1), (byte[]) o.labels().getStack().getPixels(k + 1));
        }
    }

    @Test
    void centreOfMassFollowsTheMassNotTheExtent() {
        // organ in slices 0..59, but slices 40..59 have 10x more voxels: centre of mass lies high
        ImagePlus lab = TestImages.labelVolume(10, 10, 60, (x, y, z) -> z >= 40 || x == 0 ? 1 : 0);
        int com = new SliceCrop(20, 1, CropPlacement.CENTER_OF_MASS).firstSlice(LabelVolume.from(lab), null);
        int ext = new SliceCrop(20, 1, CropPlacement.EXTENT_CENTER).firstSlice(LabelVolume.from(lab), null);
        assertEquals(20, ext);
        assertTrue(com > 30 && com <= 40, "window pulled towards the heavy slices: " + com);
    }

    @Test
    void randomWindowsStayWithinTheOrganAndAreSeeded() {
        ImagePlus[] p = pair(100, 10, 69);
        SliceCrop crop = new SliceCrop(48, 0, CropPlacement.RANDOM);
        LabelVolume lv = LabelVolume.from(p[1]);
        Set<Integer> starts = new HashSet<>();
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            int s = crop.firstSlice(lv, r);
            assertTrue(s >= 10 && s + 47 <= 69, "window " + s);
            starts.add(s);
        }
        assertEquals(13, starts.size(), "every start 10..22 occurs");
        assertEquals(crop.firstSlice(lv, new Random(9)), crop.firstSlice(lv, new Random(9)));
    }

    @Test
    void tooFewOrganSlicesIsASkipWithAReasonNotAnException() {
        ImagePlus[] p = pair(100, 50, 79); // 30 slices of organ
        SliceCrop.Outcome o = new SliceCrop(48, 0, CropPlacement.RANDOM).apply(p[0], p[1], new Random(1));
        assertTrue(o.skipped());
        assertNull(o.image());
        assertTrue(o.message().contains("30 of 100") && o.message().contains("48"), o.message());
        // a volume with fewer slices than the window at all is skipped the same way
        ImagePlus[] thin = pair(20, 0, 19);
        assertTrue(new SliceCrop(48, 0, CropPlacement.CENTER_OF_MASS).apply(thin[0], thin[1], null).skipped());
    }
}

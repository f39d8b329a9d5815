package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.measure.Calibration;
import ij.process.ImageProcessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample volumes in sample-data/brain against header fields and voxel statistics that the
 * independent Python reader recorded ({@code nifti_reference.py brain}).
 */
class NiftiSampleDataTest {

    private static final Properties P = NiftiTestSupport.properties("brain_reference.properties");
    private static final Path BRAIN = Path.of("sample-data", "brain");
    private static ImagePlus ch2;
    private static ImagePlus brodmann;

    @BeforeAll
    static void read() {
        ch2 = NiftiReader.read(BRAIN.resolve("ch2.nii.gz"));
        brodmann = NiftiReader.read(BRAIN.resolve("brodmann.nii.gz"));
    }

    @Test
    void ch2HasTheDimensionsVoxelSizeAndGeometryOfTheHeader() {
        checkGrid("ch2", ch2);
        assertEquals(8, ch2.getBitDepth(), "uint8 without scaling stays 8-bit");
        assertEquals(Integer.parseInt(P.getProperty("ch2.max")), (int) new ij.process.StackStatistics(ch2).max);
        checkVoxels("ch2", ch2);
    }

    @Test
    void brodmannLabelsAreIntegersOnTheSameGrid() {
        checkGrid("brodmann", brodmann);
        assertEquals(8, brodmann.getBitDepth());
        NiftiHeader h = NiftiImages.storedHeader(brodmann);
        assertEquals(1002, h.intentCode, "NIFTI_INTENT_LABEL");
        checkVoxels("brodmann", brodmann);
        // the label histogram matches Python's np.unique, value by value
        long[] labels = NiftiTestSupport.longs(P.getProperty("brodmann.labels"));
        long[] counts = NiftiTestSupport.longs(P.getProperty("brodmann.label_counts"));
        long[] hist = new long[256];
        for (int s = 1; s <= brodmann.getStackSize(); s++) {
            byte[] px = (byte[]) brodmann.getStack().getPixels(s);
            for (byte b : px) hist[b & 0xff]++;
        }
        for (int i = 0; i < labels.length; i++) assertEquals(counts[i], hist[(int) labels[i]], "label " + labels[i]);
        assertEquals(Arrays.stream(counts).sum(), Arrays.stream(hist).sum());
        // every label is found at the voxel (i, j, k) where Python found it first
        String[] voxels = P.getProperty("brodmann.label_voxels").split(";");
        for (int n = 0; n < labels.length; n++) {
            long[] ijk = NiftiTestSupport.longs(voxels[n]);
            ImageProcessor ip = brodmann.getStack().getProcessor((int) ijk[2] + 1);
            assertEquals(labels[n], ip.get((int) ijk[0], brodmann.getHeight() - 1 - (int) ijk[1]), "label at " + voxels[n]);
        }
        assertEquals(0, brodmann.getDisplayRangeMin());
        assertEquals(48, brodmann.getDisplayRangeMax(), "label maps are shown from 0 to the largest label");
        // same grid as ch2: size, calibration and affine
        Calibration a = ch2.getCalibration(), b = brodmann.getCalibration();
        assertEquals(a.pixelWidth, b.pixelWidth);
        assertEquals(a.xOrigin, b.xOrigin);
        assertEquals(a.yOrigin, b.yOrigin);
        assertEquals(a.zOrigin, b.zOrigin);
        assertArrayEquals(flat(NiftiImages.storedHeader(ch2).affine()), flat(h.affine()), 0.0);
    }

    @Test
    void mniCoordinatesAreImageJCoordinates(@TempDir Path dir) {
        // sform: x = i - 90, y = j - 125, z = k - 71; the anterior commissure region sits near (0, 0, 0)
        Calibration cal = ch2.getCalibration();
        assertEquals(90, cal.xOrigin, 0.0);
        assertEquals(216 - 125, cal.yOrigin, 0.0);
        assertEquals(71, cal.zOrigin, 0.0);
        assertTrue(cal.getInvertY());
        assertEquals(0, cal.getX(90), 0.0);
        assertEquals(0, cal.getY(91, 217), 0.0);
        assertEquals(10, cal.getY(81, 217), 0.0, "up the screen is anterior (+y)");
        assertEquals("mm", cal.getUnit());

        // read -> write -> read keeps the header geometry and the voxels
        Path out = dir.resolve("ch2-copy.nii.gz");
        NiftiWriter.write(ch2, out);
        NiftiHeader original = NiftiImages.storedHeader(ch2);
        NiftiHeader copy = NiftiReader.readHeader(out);
        assertArrayEquals(original.dim, copy.dim);
        assertArrayEquals(original.pixdim, copy.pixdim, 0.0);
        assertArrayEquals(flat(original.srow), flat(copy.srow), 0.0);
        assertEquals(original.sformCode, copy.sformCode);
        assertEquals(original.qformCode, copy.qformCode);
        assertEquals(original.xyztUnits, copy.xyztUnits);
        assertEquals(original.datatype, copy.datatype);
        assertEquals(original.descrip, copy.descrip);
        ImagePlus again = NiftiReader.read(out);
        for (int s = 1; s <= ch2.getStackSize(); s += 20) {
            assertArrayEquals((byte[]) ch2.getStack().getPixels(s), (byte[]) again.getStack().getPixels(s), "slice " + s);
        }
    }

    private static void checkGrid(String name, ImagePlus imp) {
        long[] dim = NiftiTestSupport.longs(P.getProperty(name + ".dim"));
        assertEquals(dim[1], imp.getWidth());
        assertEquals(dim[2], imp.getHeight());
        assertEquals(dim[3], imp.getNSlices());
        assertEquals(1, imp.getNFrames());
        double[] pixdim = NiftiTestSupport.doubles(P.getProperty(name + ".pixdim"));
        Calibration cal = imp.getCalibration();
        assertEquals(pixdim[1], cal.pixelWidth, 0.0);
        assertEquals(pixdim[2], cal.pixelHeight, 0.0);
        assertEquals(pixdim[3], cal.pixelDepth, 0.0);
        NiftiHeader h = NiftiImages.storedHeader(imp);
        assertEquals(Integer.parseInt(P.getProperty(name + ".datatype")), h.datatype);
        assertEquals(Integer.parseInt(P.getProperty(name + ".xyzt_units")), h.xyztUnits);
        assertEquals(Integer.parseInt(P.getProperty(name + ".sform_code")), h.sformCode);
        assertEquals(Integer.parseInt(P.getProperty(name + ".qform_code")), h.qformCode);
        assertArrayEquals(NiftiTestSupport.doubles(P.getProperty(name + ".srow")), flat(h.srow), 0.0);
    }

    private static void checkVoxels(String name, ImagePlus imp) {
        String[] coords = P.getProperty(name + ".coords").split(";");
        long[] values = NiftiTestSupport.longs(P.getProperty(name + ".values"));
        int ny = imp.getHeight();
        for (int n = 0; n < coords.length; n++) {
            long[] c = NiftiTestSupport.longs(coords[n]);
            ImageProcessor ip = imp.getStack().getProcessor((int) c[2] + 1);
            assertEquals(values[n], ip.get((int) c[0], ny - 1 - (int) c[1]), name + " voxel " + coords[n]);
        }
        long[] sliceSums = NiftiTestSupport.longs(P.getProperty(name + ".slice_sums_k"));
        long total = 0;
        long nonzero = 0;
        for (int k = 0; k < imp.getNSlices(); k++) {
            long s = 0;
            for (byte b : (byte[]) imp.getStack().getPixels(k + 1)) {
                s += b & 0xff;
                if (b != 0) nonzero++;
            }
            assertEquals(sliceSums[k], s, name + " sum of slice k=" + k);
            total += s;
        }
        assertEquals(Long.parseLong(P.getProperty(name + ".sum")), total);
        assertEquals(Long.parseLong(P.getProperty(name + ".nonzero")), nonzero);
    }

    private static double[] flat(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray();
    }
}

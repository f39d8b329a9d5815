package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.measure.Calibration;

import java.util.Locale;

/**
 * How a NIfTI header maps onto an ImagePlus and back: the property that keeps the header on the
 * image, the spatial/temporal calibration, and the voxel-to-world affine of an image.
 *
 * <h2>Orientation convention</h2>
 * NIfTI voxel (i, j, k, t, c) is shown at ImageJ column {@code x = i}, row {@code y = ny - 1 - j},
 * slice {@code z = k}, frame t, channel c: only the row axis is flipped, so that a volume stored
 * in the usual RAS/LAS order (j increasing towards anterior or superior) shows anterior/superior
 * at the top as in every radiology viewer. Columns are not mirrored: data stored with i towards
 * the patient's right (RAS, e.g. MNI templates) shows the patient's left on the screen's left.
 *
 * <h2>Calibration</h2>
 * Pixel width/height/depth are |pixdim[1..3]| (1 where 0 or invalid) in the file's spatial unit
 * (unknown units are taken as mm, as SPM/FSL do); the origin is the voxel at world (0, 0, 0) of
 * the affine readers use (sform, else qform, else none), with {@code invertY} set, so for an
 * axis-aligned affine with positive directions ImageJ's cursor coordinates are world (e.g. MNI)
 * millimetres. Frame interval and time unit come from pixdim[4] and xyzt_units.
 */
public final class NiftiImages {

    /** ImagePlus property ({@link ImagePlus#getProp(String)}) holding the header a volume was read with. */
    public static final String PROPERTY = "MedSynth.NIfTI";

    private NiftiImages() { }

    /** The header an image was read with (kept by Duplicate and TIFF saving), or null if none. */
    public static NiftiHeader storedHeader(ImagePlus imp) {
        return imp == null ? null : NiftiHeader.decode(imp.getProp(PROPERTY));
    }

    /** Keeps {@code header} on the image (as text; survives duplication and TIFF files). */
    public static void storeHeader(ImagePlus imp, NiftiHeader header) {
        imp.setProp(PROPERTY, header.encode());
    }

    /** Sets the spatial and temporal calibration that {@code h} implies (see class comment). */
    public static void applyCalibration(NiftiHeader h, Calibration cal) {
        int ny = (int) Math.min(Integer.MAX_VALUE, h.size(2));
        cal.pixelWidth = NiftiHeader.positiveOr1(h.pixdim[1]);
        cal.pixelHeight = NiftiHeader.positiveOr1(h.pixdim[2]);
        cal.pixelDepth = NiftiHeader.positiveOr1(h.pixdim[3]);
        cal.setUnit(h.spatialUnitCode() == 1 ? "m" : h.spatialUnitCode() == 3 ? "micron" : "mm");
        double[] v0 = NiftiAffine.worldToVoxel(h.affine(), new double[] {0, 0, 0});
        if (v0 == null || !Double.isFinite(v0[0]) || !Double.isFinite(v0[1]) || !Double.isFinite(v0[2])) {
            v0 = new double[] {0, 0, 0};
        }
        cal.xOrigin = v0[0];
        cal.yOrigin = (ny - 1) - v0[1];
        cal.zOrigin = v0[2];
        // ImageJ reads yOrigin == 0 with invertY as "row ny-1 is y = 0"; only then does that
        // differ from our convention, so invertY stays off in that one case.
        cal.setInvertY(!(cal.yOrigin == 0 && ny > 1));
        if (h.size(4) > 1 && h.pixdim[4] > 0 && Double.isFinite(h.pixdim[4])) {
            cal.frameInterval = h.pixdim[4];
            String tu = NiftiHeader.timeUnitName(h.timeUnitCode());
            cal.setTimeUnit(tu.equals("unknown") ? "sec" : tu);
        }
    }

    /**
     * The voxel-to-world affine of an image in NIfTI voxel order (rows flipped, see class
     * comment), in the spatial unit {@link #spatialUnit(Calibration)} gives. Voxel axes keep the
     * directions of {@code directions} (unit columns; identity when null) scaled by the pixel size.
     */
    public static double[][] affineFromCalibration(ImagePlus imp, double[][] directions) {
        Calibration cal = imp.getCalibration();
        double f = spatialUnit(cal)[1];
        double[] s = {Math.abs(cal.pixelWidth) * f, Math.abs(cal.pixelHeight) * f, Math.abs(cal.pixelDepth) * f};
        for (int i = 0; i < 3; i++) if (!(s[i] > 0) || !Double.isFinite(s[i])) s[i] = 1;
        double[][] d = directions == null ? new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}} : directions;
        int ny = imp.getHeight();
        double j0 = cal.yOrigin == 0 ? 0 : (ny - 1) - cal.yOrigin;
        double[] v0 = {cal.xOrigin, j0, cal.zOrigin};
        double[][] a = new double[3][4];
        for (int r = 0; r < 3; r++) {
            double t = 0;
            for (int c = 0; c < 3; c++) {
                a[r][c] = d[r][c] * s[c];
                t -= a[r][c] * v0[c];
            }
            a[r][3] = t + 0.0; // no negative zero
        }
        return a;
    }

    /**
     * The NIfTI spatial unit for a calibration: {@code {code, factor}} where the factor converts
     * the calibration's unit to the NIfTI one (cm and inch become mm, nm becomes micron); code 0
     * (unknown) and factor 1 for pixels and units NIfTI has no code for.
     */
    public static double[] spatialUnit(Calibration cal) {
        String u = cal.getUnit() == null ? "" : cal.getUnit().trim().toLowerCase(Locale.ROOT);
        switch (u) {
            case "mm": case "millimeter": case "millimetre": case "millimeters": case "millimetres":
                return new double[] {2, 1};
            case "micron": case "microns": case "um": case "\u00b5m": case "\u03bcm": case "micrometer": case "micrometre":
                return new double[] {3, 1};
            case "m": case "meter": case "metre": case "meters": case "metres":
                return new double[] {1, 1};
            case "cm": case "centimeter": case "centimetre":
                return new double[] {2, 10};
            case "nm": case "nanometer": case "nanometre":
                return new double[] {3, 0.001};
            case "inch": case "inches": case "in":
                return new double[] {2, 25.4};
            default:
                return new double[] {0, 1};
        }
    }

    /** The NIfTI time unit code for an ImageJ time unit (0 if NIfTI has none for it). */
    public static int timeUnitCode(String unit) {
        String u = unit == null ? "" : unit.trim().toLowerCase(Locale.ROOT);
        switch (u) {
            case "s": case "sec": case "second": case "seconds": return 8;
            case "ms": case "msec": return 16;
            case "us": case "usec": case "\u00b5s": case "\u03bcs": return 24;
            case "hz": return 32;
            case "ppm": return 40;
            case "rad/s": return 48;
            default: return 0;
        }
    }

    /**
     * True if the image still has the size and spatial calibration that reading {@code h} gave
     * it, i.e. the stored affine still describes it.
     */
    static boolean spatialMatches(NiftiHeader h, ImagePlus imp) {
        if (h.size(1) != imp.getWidth() || h.size(2) != imp.getHeight() || h.size(3) != imp.getNSlices()) return false;
        Calibration expected = new Calibration();
        applyCalibration(h, expected);
        Calibration cal = imp.getCalibration();
        return close(expected.pixelWidth, cal.pixelWidth) && close(expected.pixelHeight, cal.pixelHeight)
                && close(expected.pixelDepth, cal.pixelDepth) && close(expected.xOrigin, cal.xOrigin)
                && close(expected.yOrigin, cal.yOrigin) && close(expected.zOrigin, cal.zOrigin)
                && spatialUnit(expected)[0] == spatialUnit(cal)[0] && spatialUnit(cal)[1] == 1
                && expected.getInvertY() == cal.getInvertY();
    }

    /** True if the image still has the frame count and frame calibration that reading {@code h} gave it. */
    static boolean temporalMatches(NiftiHeader h, ImagePlus imp) {
        if (h.size(4) != imp.getNFrames()) return false;
        if (imp.getNFrames() <= 1) return true;
        Calibration expected = new Calibration();
        applyCalibration(h, expected);
        Calibration cal = imp.getCalibration();
        return close(expected.frameInterval, cal.frameInterval)
                && timeUnitCode(expected.getTimeUnit()) == timeUnitCode(cal.getTimeUnit());
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }
}

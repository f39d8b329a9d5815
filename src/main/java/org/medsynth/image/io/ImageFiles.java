package org.medsynth.image.io;

import ij.IJ;
import ij.ImagePlus;
import ij.CompositeImage;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.io.TiffEncoder;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import org.medsynth.util.AtomicFiles;
import org.medsynth.core.UserInputException;
import org.medsynth.util.Outputs;

import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Opening and saving images for MedSynth's jobs, with messages that tell the user which file
 * failed and why. Everything except NIfTI goes through ImageJ 1.x's own openers (TIFF, PNG, JPEG,
 * GIF, BMP, uncompressed DICOM, ...).
 */
public final class ImageFiles {

    private ImageFiles() { }

    /** Opens one image or volume; throws {@link UserInputException} with the reason on failure. */
    public static ImagePlus open(Path path) {
        if (!Files.exists(path)) throw new UserInputException("File not found: " + path);
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw new UserInputException("Cannot read " + path + ": it is a folder or not readable.");
        }
        if (isNifti(path)) return NiftiFiles.read(path);
        String p = path.toString();
        int type = new Opener().getFileType(p);
        if (type == Opener.UNKNOWN || type == Opener.TEXT || type == Opener.JAVA_OR_TEXT || type == Opener.ZIP
                && !p.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            throw new UserInputException("ImageJ cannot open " + path.getFileName()
                    + ": not an image format it reads (TIFF, PNG, JPEG, GIF, BMP, DICOM, NIfTI).");
        }
        String unreadable = imageIoFailure(path);
        if (unreadable != null) {
            throw new UserInputException("ImageJ could not open " + path.getFileName() + ": " + unreadable
                    + ". The file may be truncated or corrupt.");
        }
        ImagePlus imp;
        boolean wasRedirect = IJ.redirectingErrorMessages();
        IJ.redirectErrorMessages(true);
        try {
            imp = new Opener().openImage(p);
        } catch (RuntimeException e) {
            imp = null;
        } finally {
            IJ.redirectErrorMessages(wasRedirect);
        }
        if (imp == null) {
            String hint = type == Opener.DICOM
                    ? " It is probably a compressed DICOM (JPEG/JPEG2000/RLE); ImageJ 1.x reads uncompressed DICOM only."
                    + " Convert it (e.g. 'gdcmconv --raw in.dcm out.dcm' or dcmdjpeg) or export it as TIFF."
                    : " The file may be truncated or corrupt.";
            throw new UserInputException("ImageJ could not open " + path.getFileName() + "." + hint);
        }
        if (imp.getTitle() == null || imp.getTitle().isEmpty()) imp.setTitle(path.getFileName().toString());
        return imp;
    }

    /**
     * For the formats ImageJ decodes with Java's ImageIO or its own BMP reader (PNG, JPEG, BMP): why the
     * file cannot be decoded, or null if it can. ImageJ reports such a failure as a macro error, which
     * stops the whole calling macro even when the exception is caught, so a batch job could not skip the
     * file; decoding it here first lets the job skip it with this reason instead.
     */
    static String imageIoFailure(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!n.matches(".*\\.(png|jpg|jpeg|bmp)$")) return null;
        try {
            return javax.imageio.ImageIO.read(path.toFile()) == null ? "not an image Java can decode" : null;
        } catch (IOException | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().replaceAll("[.!]+$", "");
        }
    }

    /** True if ImageJ or MedSynth can probably open the file, judged by name (for folder scans). */
    public static boolean looksLikeImage(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.startsWith(".")) return false;
        return isNifti(path) || n.matches(".*\\.(tif|tiff|png|jpg|jpeg|gif|bmp|dcm|pgm|fits|zip|ima)$")
                || !n.contains(".");
    }

    public static boolean isNifti(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".nii") || n.endsWith(".nii.gz") || n.endsWith(".hdr");
    }

    /** The files of a folder in name order, hidden files and sub-folders excluded. */
    public static List<Path> listFiles(Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            throw new UserInputException("Folder not found: " + folder + ". Choose an existing folder.");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".img")
                            || !Files.exists(p.resolveSibling(baseName(p) + ".hdr")))
                    .sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UserInputException("Cannot list folder " + folder + ": " + e.getMessage());
        }
        return files;
    }

    /** The file name without its image extension (.nii.gz counts as one extension). */
    public static String baseName(Path path) {
        String n = path.getFileName().toString();
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".nii.gz")) return n.substring(0, n.length() - 7);
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** Saves as TIFF atomically (temporary file, then rename), replacing an existing file. */
    public static void saveTiff(ImagePlus imp, Path target) {
        try {
            AtomicFiles.write(target, out -> encodeTiff(imp, out));
        } catch (IOException e) {
            throw Outputs.writeFailed(target, e);
        }
    }

    /**
     * Saves as TIFF only if {@code target} does not exist (atomic create-or-fail): a second run never
     * overwrites the first one's output.
     *
     * @throws org.medsynth.util.OutputWriteException when it exists, the disk is full, ...
     */
    public static void createTiff(ImagePlus imp, Path target) {
        try {
            AtomicFiles.create(target, out -> encodeTiff(imp, out));
        } catch (IOException e) {
            throw Outputs.writeFailed(target, e);
        }
    }

    /** Saves a single image as PNG atomically, replacing an existing file. */
    public static void savePng(ImagePlus imp, Path target) {
        try {
            AtomicFiles.write(target, out -> encodePng(imp, out));
        } catch (IOException e) {
            throw Outputs.writeFailed(target, e);
        }
    }

    /** Saves a single image as PNG only if {@code target} does not exist (atomic create-or-fail). */
    public static void createPng(ImagePlus imp, Path target) {
        try {
            AtomicFiles.create(target, out -> encodePng(imp, out));
        } catch (IOException e) {
            throw Outputs.writeFailed(target, e);
        }
    }

    /**
     * The image or stack as ImageJ's TIFF (what File>Save As>Tiff writes: calibration, hyperstack layout,
     * slice labels, info, display ranges), onto a stream. Unlike ImageJ's FileSaver, a failed write is an
     * IOException for the caller, not an error dialog (which aborts a running macro with "Macro canceled").
     */
    public static void encodeTiff(ImagePlus imp, OutputStream out) throws IOException {
        // the same FileInfo as FileSaver.saveAsTiff / saveAsTiffStack (ImageJ 1.54p) builds
        FileInfo fi = imp.getFileInfo();
        FileSaver saver = new FileSaver(imp);
        fi.info = imp.getInfoProperty();
        fi.description = saver.getDescriptionString();
        if (imp.getStackSize() == 1) {
            fi.nImages = 1;
            String label = imp.hasImageStack() ? imp.getStack().getSliceLabel(1) : null;
            if (label == null && imp.getProperty("Label") instanceof String l) label = l;
            if (label != null) fi.sliceLabels = new String[]{label};
        } else {
            fi.sliceLabels = imp.getStack().getSliceLabels();
            if (imp.getStack().isVirtual()) fi.virtualStack = (ij.VirtualStack) imp.getStack();
        }
        fi.roi = ij.io.RoiEncoder.saveAsByteArray(imp.getRoi());
        ij.gui.Overlay overlay = imp.getHideOverlay() ? null : imp.getOverlay();
        if (overlay != null && overlay.size() > 0) {
            fi.overlay = new byte[overlay.size()][];
            for (int i = 0; i < overlay.size(); i++) fi.overlay[i] = ij.io.RoiEncoder.saveAsByteArray(overlay.get(i));
        }
        fi.properties = imp.getPropertiesAsArray();
        if (imp.isComposite()) {
            CompositeImage ci = (CompositeImage) imp;
            int channels = imp.getNChannels();
            fi.displayRanges = new double[channels * 2];
            for (int c = 1; c <= channels; c++) {
                LUT lut = ci.getChannelLut(c);
                fi.displayRanges[(c - 1) * 2] = lut.min;
                fi.displayRanges[(c - 1) * 2 + 1] = lut.max;
            }
        }
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
        new TiffEncoder(fi).write(data);
        data.flush();
    }

    /**
     * One image as PNG onto a stream: 8-bit (with its lookup table) and RGB as they are displayed,
     * 16-bit as 16-bit grey, 32-bit as its 8-bit display.
     */
    public static void encodePng(ImagePlus imp, OutputStream out) throws IOException {
        ImageProcessor ip = imp.getProcessor();
        BufferedImage bi = ip instanceof ShortProcessor sp && !imp.isComposite() ? sp.get16BitBufferedImage() : imp.getBufferedImage();
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) throw new IOException("this Java has no PNG writer");
        ImageWriter writer = writers.next();
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(bi);
        } finally {
            writer.dispose();
        }
    }

    /** Saves in the format given by the file extension: .nii/.nii.gz as NIfTI, anything else as TIFF; replaces. */
    public static void save(ImagePlus imp, Path target) {
        if (isNifti(target)) NiftiFiles.write(imp, target);
        else saveTiff(imp, target);
    }

    /** As {@link #save}, but only if the file does not exist (atomic create-or-fail). */
    public static void create(ImagePlus imp, Path target) {
        if (isNifti(target)) NiftiFiles.create(imp, target);
        else createTiff(imp, target);
    }
}

package org.medsynth.image.io;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;
import org.medsynth.util.AtomicFiles;
import org.medsynth.core.UserInputException;

import java.io.IOException;
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

    /** Saves as TIFF atomically (temporary file, then rename). */
    public static void saveTiff(ImagePlus imp, Path target) {
        try {
            AtomicFiles.writeVia(target, tmp -> {
                FileSaver saver = new FileSaver(imp);
                boolean ok = imp.getStackSize() > 1 ? saver.saveAsTiffStack(tmp.toString()) : saver.saveAsTiff(tmp.toString());
                if (!ok) throw new IOException("ImageJ could not write " + tmp);
            });
        } catch (IOException e) {
            throw new UserInputException("Could not save " + target + ": " + e.getMessage()
                    + ". Check that the folder exists, is writable and the disk is not full.", e);
        }
    }

    /** Saves a single 8-bit or RGB image as PNG atomically. */
    public static void savePng(ImagePlus imp, Path target) {
        try {
            AtomicFiles.writeVia(target, tmp -> {
                if (!new FileSaver(imp).saveAsPng(tmp.toString())) throw new IOException("ImageJ could not write " + tmp);
            });
        } catch (IOException e) {
            throw new UserInputException("Could not save " + target + ": " + e.getMessage()
                    + ". Check that the folder exists, is writable and the disk is not full.", e);
        }
    }

    /** Saves in the format given by the file extension: .nii/.nii.gz as NIfTI, anything else as TIFF. */
    public static void save(ImagePlus imp, Path target) {
        if (isNifti(target)) NiftiFiles.write(imp, target);
        else saveTiff(imp, target);
    }
}

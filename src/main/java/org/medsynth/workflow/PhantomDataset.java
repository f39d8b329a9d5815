package org.medsynth.workflow;

import org.medsynth.core.UserInputException;
import org.medsynth.core.Progress;

import ij.ImagePlus;
import org.medsynth.data.FundusPhantom;
import org.medsynth.data.LiverPhantom;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.util.AtomicFiles;
import org.medsynth.util.Outputs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes phantom image/label pairs as a training data set:
 * <pre>
 * out/images/case001.tif   the fundus photograph (RGB) or CT volume (16-bit, HU calibrated)
 * out/labels/case001.tif   the vessel mask (0/255) or the label volume (0 background, 1 liver, 2 tumour)
 * out/masks/case001.tif    fundus only: the field-of-view mask (0/255)
 * out/dataset.json         what was generated: kind, sizes, seed and each case's seed
 * </pre>
 * Case {@code i} (1-based) is generated with seed {@code seed + i - 1}, so any single case can be
 * regenerated with {@link FundusPhantom#generate} or {@link LiverPhantom#generate}. Every file is
 * written atomically; nothing that already exists is overwritten: if any target file exists the
 * job refuses to start. After a cancel, the cases written so far are complete and listed in
 * dataset.json.
 */
public final class PhantomDataset {

    /** The kinds of phantom. */
    public enum Kind { FUNDUS, LIVER }

    /** One written case; {@code mask} is null for liver phantoms. */
    public record Case(String name, long seed, Path image, Path label, Path mask) { }

    public static final int MAX_COUNT = 100_000;
    public static final String MANIFEST = "dataset.json";

    private PhantomDataset() { }

    /**
     * Writes {@code count} fundus phantoms of {@code size} x {@code size} pixels.
     *
     * @param format "tif" or "png" (both lossless; PNG files are smaller)
     */
    public static List<Case> writeFundus(Path out, int count, int size, long seed, String format, Progress progress) {
        String ext = checkFormat(format);
        FundusPhantom.checkSize(size);
        String params = String.format(Locale.ROOT, "\"size\": %d, ", size);
        return write(Kind.FUNDUS, out, count, seed, ext, params, progress, s -> {
            FundusPhantom.Sample p = FundusPhantom.generate(size, s);
            return new ImagePlus[] {p.image(), p.vessels(), p.fov()};
        });
    }

    /** Writes {@code count} liver CT phantoms of width x height x depth voxels as TIFF stacks. */
    public static List<Case> writeLiver(Path out, int count, int width, int height, int depth, long seed, Progress progress) {
        LiverPhantom.checkSize(width, height, depth);
        String params = String.format(Locale.ROOT, "\"width\": %d, \"height\": %d, \"depth\": %d, "
                        + "\"voxel_mm\": [%s, %s, %s], \"ct_storage\": \"16-bit, raw = HU + 32768\", ",
                width, height, depth, LiverPhantom.PIXEL_SIZE_MM, LiverPhantom.PIXEL_SIZE_MM, LiverPhantom.SLICE_THICKNESS_MM);
        return write(Kind.LIVER, out, count, seed, "tif", params, progress, s -> {
            LiverPhantom.Sample p = LiverPhantom.generate(width, height, depth, s);
            return new ImagePlus[] {p.ct(), p.labels()};
        });
    }

    /** The seed of case {@code index} (0-based) of a data set generated with {@code seed}. */
    public static long caseSeed(long seed, int index) {
        return seed + index;
    }

    /** case001, case002, ...; more digits when count exceeds 999. */
    public static String caseName(int index, int count) {
        int digits = Math.max(3, String.valueOf(count).length());
        return String.format(Locale.ROOT, "case%0" + digits + "d", index + 1);
    }

    private interface Generator {
        ImagePlus[] generate(long seed);
    }

    private static List<Case> write(Kind kind, Path out, int count, long seed, String ext, String params,
                                    Progress progress, Generator generator) {
        if (out == null) throw new UserInputException("Choose an output folder for the phantom data set.");
        if (count < 1 || count > MAX_COUNT) {
            throw new UserInputException("Count " + count + " is out of range: choose from 1 to " + MAX_COUNT + " cases.");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserInputException(out + " is a file, not a folder: choose a folder for the phantom data set.");
        }
        boolean fundus = kind == Kind.FUNDUS;
        String[] folders = fundus ? new String[] {"images", "labels", "masks"} : new String[] {"images", "labels"};
        List<Path[]> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = caseName(i, count);
            Path[] t = new Path[folders.length];
            for (int f = 0; f < folders.length; f++) {
                t[f] = out.resolve(folders[f]).resolve(name + "." + ext);
                if (Files.exists(t[f])) {
                    throw new UserInputException(out + " already holds " + out.relativize(t[f])
                            + ". MedSynth never overwrites files: choose an empty or new output folder.");
                }
            }
            targets.add(t);
        }
        if (Files.exists(out.resolve(MANIFEST))) {
            throw new UserInputException(out + " already holds a phantom data set (" + MANIFEST
                    + "). MedSynth never overwrites files: choose an empty or new output folder.");
        }
        Outputs.folder(out, "output");
        for (String f : folders) Outputs.folder(out.resolve(f), "output");

        List<Case> cases = new ArrayList<>();
        String what = fundus ? "fundus phantom" : "liver phantom";
        try {
            for (int i = 0; i < count; i++) {
                progress.checkCancelled();
                progress.report((double) i / count, what + " " + (i + 1) + "/" + count);
                long s = caseSeed(seed, i);
                ImagePlus[] images = generator.generate(s);
                Path[] t = targets.get(i);
                for (int f = 0; f < t.length; f++) save(images[f], t[f], ext);
                cases.add(new Case(caseName(i, count), s, t[0], t[1], fundus ? t[2] : null));
            }
        } finally {
            if (!cases.isEmpty()) writeManifest(out, kind, count, seed, ext, params, cases);
        }
        progress.report(1.0, cases.size() + " " + what + (cases.size() == 1 ? "" : "s") + " written to " + out);
        return cases;
    }

    private static String checkFormat(String format) {
        String f = format == null ? "tif" : format.trim().toLowerCase(Locale.ROOT);
        if (f.equals("tiff")) f = "tif";
        if (!f.equals("tif") && !f.equals("png")) {
            throw new UserInputException("Unknown file format '" + format + "': choose tif or png.");
        }
        return f;
    }

    private static void save(ImagePlus imp, Path target, String ext) {
        if (ext.equals("tif")) ImageFiles.createTiff(imp, target);
        else ImageFiles.createPng(imp, target);
    }

    private static void writeManifest(Path out, Kind kind, int count, long seed, String ext, String params, List<Case> cases) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n");
        sb.append("  \"generator\": \"MedSynth ").append(kind == Kind.FUNDUS ? FundusPhantom.class.getName()
                : LiverPhantom.class.getName()).append("\",\n");
        sb.append("  \"kind\": \"").append(kind.name().toLowerCase(Locale.ROOT)).append("\",\n");
        sb.append("  ").append(params).append("\"format\": \"").append(ext).append("\",\n");
        sb.append("  \"seed\": ").append(seed).append(", \"requested\": ").append(count)
                .append(", \"written\": ").append(cases.size()).append(",\n");
        sb.append("  \"folders\": {\"images\": \"images\", \"labels\": \"labels\"")
                .append(kind == Kind.FUNDUS ? ", \"masks\": \"masks\"" : "").append("},\n");
        sb.append("  \"labels\": ").append(kind == Kind.FUNDUS ? "{\"0\": \"background\", \"255\": \"vessel\"}"
                : "{\"0\": \"background\", \"1\": \"liver\", \"2\": \"tumour\"}").append(",\n");
        sb.append("  \"cases\": [");
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"name\": \"").append(c.name()).append("\", \"seed\": ")
                    .append(c.seed()).append("}");
        }
        sb.append(cases.isEmpty() ? "]\n" : "\n  ]\n").append("}\n");
        try {
            AtomicFiles.create(out.resolve(MANIFEST), o -> o.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw Outputs.writeFailed(out.resolve(MANIFEST), e);
        }
    }
}

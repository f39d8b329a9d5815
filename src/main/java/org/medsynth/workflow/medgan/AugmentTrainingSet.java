package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import org.medsynth.data.AugmentedPairs;
import org.medsynth.data.PairedDataset;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.nifti.NiftiImages;
import org.medsynth.util.AtomicFiles;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.medsynth.util.Outputs;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * "MedSynth Augment Training Set": for every real image/label pair, {@code copies} synthetic pairs
 * made by a trained 3D-MedGAN from randomly edited copies of the real label map (the paper's
 * "modify the existing real data such as tumor size, and input the modified label map into the
 * trained generator"). Layout of the output folder:
 * <pre>
 * out/images/&lt;case&gt;_syn01.&lt;ext&gt;   synthetic volume (32-bit, training intensity units, label map geometry)
 * out/labels/&lt;case&gt;_syn01.&lt;ext&gt;   the edited label map it was synthesised from
 * out/augmentation.json            model, settings, and per pair: source case, copy number, edit, seed
 * </pre>
 * NIfTI inputs give NIfTI outputs (.nii.gz), all others TIFF. A segmentation trainer mixes the
 * folder with the real pairs through {@link AugmentedPairs#mix}. Copy {@code k} of case {@code c}
 * depends only on (seed, c, k): adding cases or copies later leaves existing pairs as they were.
 * Nothing is overwritten: the job refuses to start if a target file exists. After a cancel the
 * pairs written so far are complete and listed in the manifest.
 */
public final class AugmentTrainingSet {

    /**
     * @param copies     synthetic pairs per real pair (the paper's Table 1 uses 1, 3 and 5 times the real data)
     * @param editLabel  the label whose region is edited (e.g. 2 = tumour); 0 = a random label > 0 of each map
     * @param fill       host label for the edit ({@link LabelMapEditor#AUTO_HOST} = automatic)
     * @param ranges     random scale and shift ranges of the edit
     */
    public record Options(int copies, int editLabel, int fill, LabelMapEditor.RandomRanges ranges, long seed,
                          MedGanModel.Options synthesis) {
        public Options {
            if (copies < 1 || copies > 1000) throw new UserInputException("The number of synthetic copies per pair must be 1..1000, not " + copies + ".");
            checkEditLabel(editLabel);
        }

        /** Also for callers that take the label before they know the number of copies (Train Segmenter). */
        public static void checkEditLabel(int editLabel) {
            if (editLabel < 0) throw new UserInputException("The label to edit must be >= 0 (0 = a random label), not " + editLabel + ".");
        }
    }

    /** One written synthetic pair. */
    public record Written(String name, String source, int copy, Path image, Path labels, String edit, int editedLabel, long seed) { }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AugmentTrainingSet() { }

    public static List<Written> run(Path images, Path labels, Path modelFile, Path out, Options o, Progress progress) {
        if (out == null) throw new UserInputException("Choose an output folder for the synthetic pairs.");
        checkOutsideInputs(images, labels, out);
        InputChecks.inputFolder(images, "images");
        InputChecks.inputFolder(labels, "labels");
        Outputs.folder(out, "output");
        MedGanModel model = MedGanModel.load(modelFile, "Augment Training Set");
        PairedDataset real = PairedDataset.scan(images, labels, MedGanTraining.ANY_LABEL);
        return write(real, model, modelFile, out, o, List.of(), progress);
    }

    /**
     * Makes sure {@code out} holds copies 1..{@code o.copies()} of every pair of {@code real}: the pairs its
     * manifest already lists are kept, the missing ones are written (copy k of case c depends only on
     * (seed, c, k), so the result equals a fresh run). A new or empty folder is filled as by {@link #run}.
     *
     * @throws UserInputException when the folder was written by another model (SHA-256 of the model
     *                            file) or with other edit/synthesis settings, or holds unlisted files
     */
    public static List<Written> extend(PairedDataset real, Path modelFile, Path out, Options o, Progress progress) {
        if (out == null) throw new UserInputException("Choose an output folder for the synthetic pairs.");
        checkOutsideInputs(real.imageFolder(), real.labelFolder(), out);
        List<Written> existing = List.of();
        if (Files.isRegularFile(out.resolve(AugmentedPairs.MANIFEST))) {
            Manifest m = readManifest(out);
            String sha = sha256(modelFile);
            if (!sha.equals(m.modelSha256())) {
                throw new UserInputException("The folder " + out + " holds synthetic pairs made by another 3D-MedGAN model (" + m.model()
                        + (m.modelSha256() == null ? ", no checksum recorded" : "") + ") than " + modelFile
                        + ". Delete or rename the folder to make new pairs, or give the folder itself as the synthetic data.");
            }
            Map<String, Object> want = settingsMap(o), have = m.settings();
            for (Map.Entry<String, Object> e : want.entrySet()) {
                if (e.getKey().equals("copies")) continue;
                Object a = e.getValue(), b = have.get(e.getKey());
                boolean same = a instanceof Number na && b instanceof Number nb ? na.doubleValue() == nb.doubleValue() : String.valueOf(a).equals(String.valueOf(b));
                if (!same) {
                    throw new UserInputException("The folder " + out + " holds synthetic pairs made with " + e.getKey() + "=" + b + ", but now "
                            + e.getKey() + "=" + a + ". Delete or rename the folder to make new pairs with the new settings.");
                }
            }
            existing = m.written();
        } else if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new UserInputException("The folder " + out + " is not empty but has no " + AugmentedPairs.MANIFEST
                            + "; it was not written by MedSynth Augment Training Set. Delete or rename it.");
                }
            } catch (IOException e) {
                throw new UserInputException("Cannot read the folder " + out + ": " + e.getMessage());
            }
        }
        MedGanModel model = MedGanModel.load(modelFile, "augment_with (synthetic training pairs)");
        return write(real, model, modelFile, out, o, existing, progress);
    }

    private static void checkOutsideInputs(Path images, Path labels, Path out) {
        Path outAbs = out.toAbsolutePath().normalize();
        for (Path in : new Path[]{images, labels}) {
            Path a = in.toAbsolutePath().normalize();
            if (outAbs.equals(a) || a.startsWith(outAbs) || outAbs.startsWith(a)) {
                throw new UserInputException("The output folder " + out + " must be outside the input folder " + in
                        + " (and not contain it): synthetic pairs must not mix with the real ones. Choose another folder.");
            }
        }
    }

    private static List<Written> write(PairedDataset real, MedGanModel model, Path modelFile, Path out, Options o, List<Written> existingPairs,
                                       Progress progress) {
        Path images = real.imageFolder(), labels = real.labelFolder();
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (Written w : existingPairs) listed.add(w.source() + "\t" + w.copy());
        int digits = Math.max(2, String.valueOf(o.copies()).length());
        List<String[]> targets = new ArrayList<>();
        for (PairedDataset.Pair p : real.pairs()) {
            for (int k = 1; k <= o.copies(); k++) {
                String name = syntheticName(p.name(), k, digits);
                targets.add(new String[]{name, "images/" + name + extension(p.image()), "labels/" + name + extension(p.labels())});
            }
        }
        List<String> existing = new ArrayList<>();
        int t0 = 0;
        for (PairedDataset.Pair p : real.pairs()) {
            for (int k = 1; k <= o.copies(); k++, t0++) {
                if (listed.contains(p.name() + "\t" + k)) continue;
                String[] t = targets.get(t0);
                for (int i = 1; i <= 2; i++) if (Files.exists(out.resolve(t[i]))) existing.add(t[i]);
            }
        }
        if (existingPairs.isEmpty() && Files.exists(out.resolve(AugmentedPairs.MANIFEST))) existing.add(AugmentedPairs.MANIFEST);
        if (!existing.isEmpty()) {
            throw new UserInputException("The output folder " + out + " already holds " + existing.size() + " of the files to write (e.g. "
                    + existing.get(0) + "). Choose an empty folder; nothing was written.");
        }
        Outputs.folder(out.resolve("images"), "output");
        Outputs.folder(out.resolve("labels"), "output");
        List<Written> written = new ArrayList<>(existingPairs);
        int total = 0;
        for (PairedDataset.Pair p : real.pairs()) for (int k = 1; k <= o.copies(); k++) if (!listed.contains(p.name() + "\t" + k)) total++;
        String modelSha = sha256(modelFile);
        int t = -1, n = 0;
        for (int i = 0; i < real.size(); i++) {
            PairedDataset.Pair pair = real.pairs().get(i);
            progress.checkCancelled();
            boolean missing = false;
            for (int k = 1; k <= o.copies(); k++) missing |= !listed.contains(pair.name() + "\t" + k);
            if (!missing) {
                t += o.copies();
                continue;
            }
            ImagePlus labelImp = ImageFiles.open(pair.labels());
            LabelVolume lv = labelVolume(model, labelImp, pair.labels().getFileName().toString());
            for (int k = 1; k <= o.copies(); k++) {
                t++;
                if (listed.contains(pair.name() + "\t" + k)) continue;
                progress.checkCancelled();
                String[] target = targets.get(t);
                int done = n++;
                int all = total;
                Progress inner = new Progress() {
                    @Override public void report(double f, String m) {
                        progress.report((done + f) / all, target[0] + " (" + (done + 1) + "/" + all + "): " + m);
                    }
                    @Override public boolean isCancelled() { return progress.isCancelled(); }
                };
                Copy c = makeCopy(model, labelImp, lv, pair.name(), k, target[0], o, inner);
                ImagePlus edited = c.labels(), synthetic = c.image();
                String edit = c.edit();
                int editedLabel = c.editedLabel();
                long synthSeed = c.seed();
                ImageFiles.create(edited, out.resolve(target[2]));
                ImageFiles.create(synthetic, out.resolve(target[1]));
                written.add(new Written(target[0], pair.name(), k, out.resolve(target[1]), out.resolve(target[2]), edit, editedLabel, synthSeed));
                writeManifest(out, modelFile, modelSha, images, labels, o, written);
            }
        }
        progress.report(1, "wrote " + n + " synthetic pairs to " + out + (existingPairs.isEmpty() ? "" : " (" + existingPairs.size() + " were there)"));
        return written;
    }

    /** Copy {@code k} of a case: its randomly edited label map, the synthetic volume made from it, the edit and the generator's seed. */
    public record Copy(ImagePlus labels, ImagePlus image, String edit, int editedLabel, long seed) { }

    /** The label map of a case as a {@link LabelVolume}, checked against the labels the model knows. */
    public static LabelVolume labelVolume(MedGanModel model, ImagePlus labelImp, String fileName) {
        LabelVolume lv;
        try {
            lv = LabelVolume.from(labelImp);
        } catch (UserInputException e) {
            throw new UserInputException("Label map " + fileName + ": " + e.getMessage(), e);
        }
        model.encoding().indices(lv.values(), "Label map " + fileName);
        return lv;
    }

    /**
     * Copy {@code k} of case {@code caseName} (named {@code name}): depends only on (seed, case name, k), so copies can be
     * made in any order and on any machine (e.g. by Spark tasks) with the same result as {@link #run}.
     */
    public static Copy makeCopy(MedGanModel model, ImagePlus labelImp, LabelVolume lv, String caseName, int k, String name, Options o,
                                Progress progress) {
        Random rnd = new Random(MedGanTrainer.mix(MedGanTrainer.mix(o.seed() ^ nameHash(caseName)) + k));
        TreeSet<Integer> present = new TreeSet<>();
        for (int v : lv.values()) if (v > 0) present.add(v);
        int label = o.editLabel() > 0 ? o.editLabel() : present.isEmpty() ? 0
                : new ArrayList<>(present).get(rnd.nextInt(present.size()));
        ImagePlus edited;
        String edit;
        int editedLabel = 0;
        if (label > 0 && present.contains(label)) {
            LabelMapEditor.Result r = new LabelMapEditor(lv, label, o.fill()).random(o.ranges(), rnd);
            edited = r.image();
            edit = r.summary();
            editedLabel = label;
        } else {
            edited = lv.toImagePlus(lv.title());
            edit = label > 0 ? "unchanged: label " + label + " does not occur" : "unchanged: no label > 0";
        }
        edited.setTitle(name);
        String header = labelImp.getProp(NiftiImages.PROPERTY);
        if (header != null) edited.setProp(NiftiImages.PROPERTY, header);
        model.encoding().indices(LabelVolume.from(edited).values(), "The edited label map " + name);
        long synthSeed = rnd.nextLong();
        MedGanModel.Options so = new MedGanModel.Options(synthSeed, o.synthesis().tile(), o.synthesis().overlap(), o.synthesis().blend());
        ImagePlus synthetic = model.synthesize(edited, so, progress);
        synthetic.setTitle(name);
        return new Copy(edited, synthetic, edit, editedLabel, synthSeed);
    }

    public static String syntheticName(String source, int copy, int digits) {
        return source + "_syn" + String.format(Locale.ROOT, "%0" + digits + "d", copy);
    }

    public static String extension(Path p) {
        return ImageFiles.isNifti(p) ? ".nii.gz" : ".tif";
    }

    private static long nameHash(String s) {
        long h = 1125899906842597L;
        for (int i = 0; i < s.length(); i++) h = 31 * h + s.charAt(i);
        return h;
    }

    /** The edit and synthesis settings as stored in the manifest. */
    static Map<String, Object> settingsMap(Options o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("copies", o.copies());
        m.put("editLabel", o.editLabel());
        m.put("fill", o.fill());
        m.put("minScale", o.ranges().minScale());
        m.put("maxScale", o.ranges().maxScale());
        m.put("maxShift", o.ranges().maxShiftXY());
        m.put("maxShiftZ", o.ranges().maxShiftZ());
        m.put("seed", o.seed());
        m.put("tile", o.synthesis().tile());
        m.put("overlap", o.synthesis().overlap());
        return m;
    }

    /** An augmentation folder's manifest: the model (path and SHA-256 of the file, null when not recorded), settings and pairs. */
    public record Manifest(String model, String modelSha256, Map<String, Object> settings, List<Written> written) {
        /** Copies per source case. */
        public Map<String, Integer> copiesPerSource() {
            Map<String, Integer> m = new java.util.TreeMap<>();
            for (Written w : written) m.merge(w.source(), 1, Integer::sum);
            return m;
        }
    }

    /** Reads {@code folder/augmentation.json}. */
    @SuppressWarnings("unchecked")
    public static Manifest readManifest(Path folder) {
        Path file = folder.resolve(AugmentedPairs.MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(folder + " has no " + AugmentedPairs.MANIFEST + ": it was not written by MedSynth Augment Training Set.");
        }
        Map<String, Object> m;
        try {
            m = JSON.readValue(Files.readAllBytes(file), Map.class);
        } catch (IOException e) {
            throw new UserInputException(file + " cannot be read (" + e.getMessage() + "); run MedSynth Augment Training Set again.", e);
        }
        if (!AugmentedPairs.FORMAT.equals(m.get("format"))) throw new UserInputException(file + " is not an augmentation manifest.");
        List<Written> w = new ArrayList<>();
        if (m.get("pairs") instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof Map<?, ?> p)) continue;
                w.add(new Written(String.valueOf(p.get("name")), String.valueOf(p.get("source")),
                        p.get("copy") instanceof Number c ? c.intValue() : 0, folder.resolve(String.valueOf(p.get("image"))),
                        folder.resolve(String.valueOf(p.get("labels"))), String.valueOf(p.get("edit")),
                        p.get("editedLabel") instanceof Number e ? e.intValue() : 0, p.get("seed") instanceof Number s ? s.longValue() : 0));
            }
        }
        return new Manifest(String.valueOf(m.get("model")), m.get("modelSha256") instanceof String s ? s : null, m, w);
    }

    /** SHA-256 (hex) of a file's bytes. */
    public static String sha256(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            StringBuilder sb = new StringBuilder();
            for (byte b : md.digest()) sb.append(String.format(Locale.ROOT, "%02x", b));
            return sb.toString();
        } catch (IOException e) {
            throw new UserInputException("Cannot read " + file + ": " + e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code out/augmentation.json} listing {@code written} (paths inside {@code out}); {@code images} may be null. */
    public static void writeManifest(Path out, Path model, String modelSha, Path images, Path labels, Options o, List<Written> written) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", AugmentedPairs.FORMAT);
        m.put("version", AugmentedPairs.VERSION);
        m.put("model", model.toAbsolutePath().toString());
        m.put("modelSha256", modelSha);
        m.put("realImages", images == null ? null : images.toAbsolutePath().toString());
        m.put("realLabels", labels.toAbsolutePath().toString());
        m.putAll(settingsMap(o));
        int copies = o.copies();
        for (Written w : written) copies = Math.max(copies, w.copy());
        m.put("copies", copies);
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (Written w : written) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", w.name());
            p.put("source", w.source());
            p.put("copy", w.copy());
            p.put("image", out.relativize(w.image()).toString().replace('\\', '/'));
            p.put("labels", out.relativize(w.labels()).toString().replace('\\', '/'));
            p.put("editedLabel", w.editedLabel());
            p.put("edit", w.edit());
            p.put("seed", w.seed());
            pairs.add(p);
        }
        m.put("pairs", pairs);
        try {
            byte[] bytes = JSON.writeValueAsBytes(m);
            AtomicFiles.write(out.resolve(AugmentedPairs.MANIFEST), os -> os.write(bytes));
        } catch (IOException e) {
            throw Outputs.writeFailed(out.resolve(AugmentedPairs.MANIFEST), e);
        }
    }
}

package org.medsynth.workflow.validate;

import org.medsynth.nn.ModelArchive;
import org.medsynth.core.UserInputException;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * What a MedSynth model archive is, read from its manifest: a finished model or a training
 * checkpoint of one of the three trainers. Every command that loads a model asks {@link #require}, so a
 * wrong file is refused with what it is and what the command needs, e.g. "seg.zip is a segmentation
 * model (mlu-net) made by Train Segmenter; Generate Images needs a SkrGAN model made by Train SkrGAN."
 */
public enum ModelKind {
    SEGMENTER("Train Segmenter", "a segmentation model made by Train Segmenter", false),
    SEGMENTER_CHECKPOINT("Train Segmenter", null, true),
    MEDGAN("Train 3D-MedGAN", "a 3D-MedGAN model made by Train 3D-MedGAN", false),
    MEDGAN_CHECKPOINT("Train 3D-MedGAN", null, true),
    SKRGAN("Train SkrGAN", "a SkrGAN model made by Train SkrGAN", false),
    SKRGAN_CHECKPOINT("Train SkrGAN", null, true),
    UNKNOWN(null, null, false);

    /** Metadata "kind" of the SkrGAN trainer's files (earlier files only have "application": "skrgan"). */
    public static final String SKRGAN_KIND = "medsynth-skrgan";
    public static final String SKRGAN_CHECKPOINT_KIND = "medsynth-skrgan-checkpoint";

    private final String trainer;
    private final String needed;
    private final boolean checkpoint;

    ModelKind(String trainer, String needed, boolean checkpoint) {
        this.trainer = trainer;
        this.needed = needed;
        this.checkpoint = checkpoint;
    }

    /** The command that writes this kind of file (null for unknown files). */
    public String trainer() { return trainer; }

    public boolean checkpoint() { return checkpoint; }

    /** The kind of a loaded archive. */
    public static ModelKind of(ModelArchive.Loaded loaded, Path file) {
        return of(loaded.manifest().metadata(), loaded.hasOptimizerState(), file.getFileName().toString());
    }

    static ModelKind of(Map<String, Object> meta, boolean hasOptimizerState, String fileName) {
        Object k = meta.get("kind");
        String kind = k == null ? "" : k.toString();
        switch (kind) {
            case "medsynth-segmenter": return SEGMENTER;
            case "medsynth-segmenter-checkpoint": return SEGMENTER_CHECKPOINT;
            case "3d-medgan": return MEDGAN;
            case "3d-medgan-checkpoint": return MEDGAN_CHECKPOINT;
            case SKRGAN_KIND: return SKRGAN;
            case SKRGAN_CHECKPOINT_KIND: return SKRGAN_CHECKPOINT;
            default: break;
        }
        if (k == null && "skrgan".equals(meta.get("application"))) {
            // files written before SkrGAN archives had a kind: checkpoints carry optimiser state and the trainer's name
            boolean ckpt = hasOptimizerState || fileName.toLowerCase(Locale.ROOT).endsWith("-checkpoint.zip");
            return ckpt ? SKRGAN_CHECKPOINT : SKRGAN;
        }
        return UNKNOWN;
    }

    /** What the file is, as the end of a sentence: "a segmentation model (mlu-net) made by Train Segmenter". */
    public static String describe(ModelArchive.Loaded loaded, Path file) {
        return describe(loaded.manifest().metadata(), loaded.hasOptimizerState(), file);
    }

    /** As {@link #describe(ModelArchive.Loaded, Path)} from the manifest's metadata alone. */
    public static String describe(Map<String, Object> meta, boolean hasOptimizerState, Path file) {
        ModelKind kind = of(meta, hasOptimizerState, file.getFileName().toString());
        return switch (kind) {
            case SEGMENTER -> "a segmentation model" + detail(meta.get("network")) + " made by Train Segmenter";
            case MEDGAN -> "a 3D-MedGAN model made by Train 3D-MedGAN";
            case SKRGAN -> skrganName(meta) + " made by Train SkrGAN";
            case SEGMENTER_CHECKPOINT, MEDGAN_CHECKPOINT, SKRGAN_CHECKPOINT ->
                    "a training checkpoint of " + kind.trainer + ", not a finished model";
            case UNKNOWN -> "a MedSynth archive of an unknown kind" + (meta.get("kind") == null ? "" : " ('" + meta.get("kind") + "')")
                    + ", perhaps written by a newer MedSynth";
        };
    }

    private static String skrganName(Map<String, Object> meta) {
        Object s = meta.get("settings");
        Object arch = s instanceof Map<?, ?> m ? m.get("architecture") : null;
        if (arch == null || "skrgan".equals(arch)) return "a SkrGAN model";
        return "a " + arch.toString().toUpperCase(Locale.ROOT) + " baseline model";
    }

    private static String detail(Object o) {
        return o == null ? "" : " (" + o + ")";
    }

    /**
     * Refuses a file of another kind than {@code wanted}.
     *
     * @param command the command (or parameter) that needs the model, e.g. "Generate Images"
     */
    public static void require(ModelArchive.Loaded loaded, Path file, ModelKind wanted, String command) {
        ModelKind kind = of(loaded, file);
        if (kind == wanted) return;
        String name = file.getFileName().toString();
        if (kind.checkpoint && kind.trainer.equals(wanted.trainer)) {
            throw new UserInputException(name + " is a training checkpoint of " + kind.trainer + ", not a finished model; " + command
                    + " needs the model file that " + kind.trainer + " writes" + modelNameHint(name) + ". To finish the training, run "
                    + kind.trainer + " again with the same model file and 'resume' ticked (in a macro: the word resume in the options).");
        }
        throw new UserInputException(name + " is " + describe(loaded, file) + "; " + command + " needs " + wanted.needed + ".");
    }

    /** " (here probably liver.zip)" for liver.zip.ckpt or liver-checkpoint.zip. */
    private static String modelNameHint(String checkpointName) {
        String lower = checkpointName.toLowerCase(Locale.ROOT);
        String model = null;
        if (lower.endsWith(".ckpt")) model = checkpointName.substring(0, checkpointName.length() - 5);
        else if (lower.endsWith("-checkpoint.zip")) model = checkpointName.substring(0, checkpointName.length() - 15) + ".zip";
        return model == null || model.isEmpty() ? "" : " (here probably " + model + ")";
    }
}

package org.medsynth.workflow.segment;

import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.NetworkSpec;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.nn.networks.SegmentationNetworks;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.validate.ModelKind;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained segmentation model: network (kind + hyper-parameters), preprocessing, training patch
 * size (the default inference tile), class names, training information and the weights
 * (trainable parameters and state such as batch-norm running statistics, group {@value #GROUP}).
 *
 * <p>Stored as a {@link ModelArchive} {@code .zip}: network role {@value #ROLE}; input shape
 * [channels, spatial...] of the training patch; normalisation = the
 * {@link PreprocessingSpec#toMap() preprocessing settings}; class names; history = the validation
 * records; metadata {@code kind = medsynth-segmenter}, {@code patch}, {@code network} (the user
 * name) and {@code training} (settings, best step and Dice, ...). Info-Max-Net models also keep the
 * MI encoder and critic ({@code seg/mi/...}, {@code seg/critic/...}), so that {@code init} can
 * continue the joint training; segmentation does not use them.
 */
public final class SegmenterModel {

    /** Metadata "kind" of a model and of a training checkpoint. */
    public static final String KIND = "medsynth-segmenter";
    public static final String CHECKPOINT_KIND = "medsynth-segmenter-checkpoint";
    /** Largest side and voxel count of a training patch that a model file may declare (4096 px; 256^3 voxels). */
    static final int MAX_PATCH_SIDE = 4096;
    static final long MAX_PATCH_VOXELS = 256L * 256 * 256;
    /** Network role in the archive. */
    public static final String ROLE = "segmenter";
    /** Parameter group of all weights. */
    public static final String GROUP = "seg";

    private final SegmentationNetwork network;
    private final PreprocessingSpec preprocessing;
    private final int[] patch;
    private final List<String> classNames;
    private final Map<String, Object> training;
    private final List<Map<String, Object>> history;
    private final ParamStore store;

    /**
     * @param patch   training patch size {w, h} or {w, h, d}
     * @param history validation records (may be empty)
     */
    public SegmenterModel(SegmentationNetwork network, PreprocessingSpec preprocessing, int[] patch, List<String> classNames,
                          Map<String, Object> training, List<Map<String, Object>> history, ParamStore store) {
        if (patch.length != network.spatialDims()) {
            throw new IllegalArgumentException("a " + network.spatialDims() + "D network needs a " + network.spatialDims() + "D patch size");
        }
        if (classNames.size() != network.classes()) throw new IllegalArgumentException("one name per class needed");
        this.network = network;
        this.preprocessing = preprocessing;
        this.patch = patch.clone();
        this.classNames = List.copyOf(classNames);
        this.training = Collections.unmodifiableMap(new LinkedHashMap<>(training));
        this.history = List.copyOf(history);
        this.store = store;
    }

    public SegmentationNetwork network() { return network; }
    public PreprocessingSpec preprocessing() { return preprocessing; }
    /** Training patch size {w, h} or {w, h, d}. */
    public int[] patch() { return patch.clone(); }
    public List<String> classNames() { return classNames; }
    /** Training information (settings, best step, validation Dice, ...). */
    public Map<String, Object> training() { return training; }
    /** Validation records: step, Dice per class, mean. */
    public List<Map<String, Object>> history() { return history; }
    public ParamStore store() { return store; }

    /**
     * Trainable scalars of the segmentation network itself, i.e. those {@code Segment} uses: all of
     * the model's, less the mutual-information encoder and critic that Info-Max-Net and IM-MLU-Net
     * only need in training.
     */
    public long segmentationParameters() {
        long n = 0;
        for (ParamStore.Param p : store.all()) {
            if (p.role() == ParamStore.Role.TRAINABLE && !trainingOnly(p.name())) n += p.value().length();
        }
        return n;
    }

    private boolean trainingOnly(String parameter) {
        return network.trainingOnlyScopes().stream().anyMatch(scope -> parameter.startsWith(GROUP + "/" + scope + "/"));
    }

    /** "background", "class 1", ... */
    public static List<String> defaultClassNames(int classes) {
        List<String> n = new ArrayList<>();
        n.add("background");
        for (int c = 1; c < classes; c++) n.add("class " + c);
        return n;
    }

    ModelArchive.Manifest manifest(String kind, Map<String, Object> extra) {
        int[] sp = network.spatialDims() == 3 ? new int[]{patch[2], patch[1], patch[0]} : new int[]{patch[1], patch[0]};
        int[] shape = new int[1 + sp.length];
        shape[0] = network.inChannels();
        System.arraycopy(sp, 0, shape, 1, sp.length);
        ModelArchive.Manifest.Builder b = ModelArchive.Manifest.builder()
                .network(ROLE, network)
                .inputShape(shape)
                .normalisation(preprocessing.toMap())
                .classNames(classNames)
                .history(history)
                .metadata("kind", kind)
                .metadata("network", SegmentationNetworkFamily.nameOf(network))
                .metadata("patch", SegmenterSettings.format(patch))
                .metadata("training", training);
        extra.forEach(b::metadata);
        return b.build();
    }

    public void save(Path file) throws IOException {
        ModelArchive.save(file, manifest(KIND, Map.of()), store, null, GROUP);
    }

    /** Writes a training checkpoint: this model plus the Adam state and {@code checkpoint} metadata. */
    void saveCheckpoint(Path file, Adam adam, Map<String, Object> checkpoint) throws IOException {
        ModelArchive.save(file, manifest(CHECKPOINT_KIND, Map.of("checkpoint", checkpoint)), store, Map.of(GROUP, adam), GROUP);
    }

    /**
     * Loads a model written by {@link #save}.
     *
     * @throws UserInputException for a missing, damaged or foreign file (a checkpoint included)
     */
    public static SegmenterModel load(Path file) {
        return load(file, "Segment");
    }

    /**
     * As {@link #load(Path)}; {@code purpose} names what needs the model in the message for a file of
     * another kind (e.g. "Segmenter Info", "init").
     */
    public static SegmenterModel load(Path file, String purpose) {
        ModelArchive.Loaded loaded = loadArchive(file);
        ModelKind.require(loaded, file, ModelKind.SEGMENTER, purpose);
        return from(loaded, file, KIND);
    }

    static ModelArchive.Loaded loadArchive(Path file) {
        SegmentationNetworks.register();
        return ModelArchive.load(file);
    }

    @SuppressWarnings("unchecked")
    static SegmenterModel from(ModelArchive.Loaded loaded, Path file, String kind) {
        ModelArchive.Manifest m = loaded.manifest();
        Object k = m.metadata().get("kind");
        if (!kind.equals(k)) {
            String what = CHECKPOINT_KIND.equals(k) ? "a training checkpoint" : "not a segmentation model";
            throw new UserInputException(file.getFileName() + " is " + what + (CHECKPOINT_KIND.equals(kind) ? "" : " (no 'medsynth-segmenter' model)")
                    + ". Give the model .zip written by MedSynth Train Segmenter" + (CHECKPOINT_KIND.equals(k) ? " (not the .ckpt)" : "") + ".");
        }
        NetworkSpec spec = m.network(ROLE);
        if (!(spec instanceof SegmentationNetwork net)) {
            throw new UserInputException(file.getFileName() + " holds a " + spec.kind() + ", not a segmentation network.");
        }
        try {
            PreprocessingSpec pre = PreprocessingSpec.fromMap(m.normalisation());
            int[] patch = SegmenterSettings.parsePatch(String.valueOf(m.metadata().get("patch")));
            if (patch.length == 2 && net.spatialDims() == 3) throw new IllegalArgumentException("patch " + m.metadata().get("patch") + " for a 3D network");
            long voxels = 1;
            for (int p : patch) {
                if (p < 1 || p > MAX_PATCH_SIDE) throw new IllegalArgumentException("the training patch " + m.metadata().get("patch") + " is impossible");
                voxels *= p;
            }
            if (voxels > MAX_PATCH_VOXELS) {
                throw new UserInputException(file.getFileName() + " declares a training patch of " + m.metadata().get("patch") + " ("
                        + voxels + " voxels), more than MedSynth trains on (" + MAX_PATCH_VOXELS + "); the file is damaged or forged. "
                        + "Copy the model file again.");
            }
            Map<String, Object> training = m.metadata().get("training") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
            return new SegmenterModel(net, pre, patch, m.classNames(), training, m.history(), loaded.store());
        } catch (UserInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UserInputException(file.getFileName() + " cannot be used: " + e.getMessage()
                    + ". It may have been written by a newer MedSynth; update MedSynth.", e);
        }
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        return store.countTrainable(null);
    }
}

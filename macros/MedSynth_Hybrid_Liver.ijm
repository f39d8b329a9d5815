// MedSynth hybrid segmentation pipeline (hybrid segmentation paper, IEEE Access 2020, section VI, Fig. 7, Tables 1 and 4)
// on liver CT phantoms (labels 0 background, 1 liver, 2 tumour), end to end:
//   1. Make Phantoms: training cases and separate test cases,
//   2. train 3D-MedGAN (label map -> CT volume) on the training pairs,
//   3. train the segmenter (IM-MLU-Net by default) on each training mix: "R" = real pairs only (IM-MLU-Net),
//      "F+R" = real + 1 synthetic pair per real pair (IM-MLU-MedGAN); synthetic pairs come from 3D-MedGAN via
//      Train Segmenter's augment_with (the model itself, or with several synthetic mixes one Augment Training Set folder),
//   4. segment the test cases with every segmenter and score them (Evaluate Segmentation: Dice of liver and tumour),
//   5. the paper's quality check (Fig. 3): synthetic volumes from the test label maps segmented by the real-only segmenter.
// The Dice table goes to the Log and to OUT/hybrid-dice.csv; the quality check to OUT/synthesis-quality.csv.
// Together with macros/MedSynth_3D-MedGAN_Brain.ijm (3D-MedGAN on real brain MR, label-map editing, synthesis) this
// macro is the paper's pipeline: the brain macro shows the generator stage on real data, this one runs both stages
// (generator + segmentation) and the evaluation, on liver data as in the paper's LIVER100 experiments.
//
// Headless: bin/medsynth-headless macros/MedSynth_Hybrid_Liver.ijm "OUTPUT_FOLDER [key=value ...]"
// keys (defaults): cases=8 test=4 size=64 depth=16 (phantom volumes size x size x depth), gan_mode=2D gan_iterations=1000
//   gan_patch=0 (2D: the whole slice; 3D: 16) gan_width=16 l1_weight=100, seg_iterations=400 network=im-mlu-net width=16 seg_depth=3 validation=0.2
//   seg_batch=0 (segmenter slices per step; 0 = Train Segmenter's default: 2 for im-mlu-net/info-max-net, else 1)
//   validate_every=50 (steps; the same for every mix) learning_rate=0.001 (the paper: 1e-4 for 3000 batches; 1e-3 suits the short runs here), l1_weight=100 (the paper: 0,
//   pure least squares; the L1 term, pix2pix's 100, makes the generator match the intensities in 1000 iterations),
//   mixes=R,F+R (also F = synthetic only, 3F+R = 3 synthetic pairs per real pair, ...), edit_label=2 seed=1,
//   window=-160..240: the segmenters' intensity preprocessing. Default: the abdominal CT window -160..240 HU mapped to
//   [-1, 1] (Train Segmenter window_low/window_high, normalization=-1to1), because the phantoms (and 3D-MedGAN's synthetic
//   volumes) are CT volumes in HU; LOW..HIGH sets another window, "abdomen" = -160..240, window=none gives Train
//   Segmenter's default (the paper's 0.5/99.5 % percentile clipping + z-score). 3D-MedGAN keeps its own intensity mapping.
//   The defaults take about 10-15 min on 2 loaded cores; "OUT cases=3 test=1 size=32 depth=8 gan_iterations=2
//   seg_iterations=2 width=4" is a smoke run. mixes=R,F,F+R,3F+R is the augmentation experiment of Table 1
//   (docs/medgan.md, "Results on liver phantoms"; the runs: docs/lab-notes/medgan-experiments.md).
// Everything is seeded; folders that exist (phantoms, models, synthetic pairs) are reused, so a second run only redoes
// what is missing (delete OUT to start again).
var args = split(getArgument(), " ");
setBatchMode(true);
out = "";
if (args.length > 0) out = args[0];
if (out == "") out = getDirectory("Choose an output folder for the hybrid pipeline");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);

cases = value("cases", 8); test = value("test", 4); size = value("size", 64); depth = value("depth", 16);
ganMode = toUpperCase(text("gan_mode", "2D"));
if (ganMode != "2D" && ganMode != "3D") exit("gan_mode must be 2D or 3D, not '" + ganMode + "'.");
// 2D: the whole slice (rounded up to a multiple of 16) is one patch, so the generator sees where the body is;
// 3D: 16^3 blocks (what fits the CPU budget; see docs/medgan.md, "Results on liver phantoms")
ganPatch = value("gan_patch", 0);
if (ganPatch == 0 && ganMode == "2D") ganPatch = 16 * floor((maxOf(size, 32) + 15) / 16);
if (ganPatch == 0) ganPatch = 16;
ganIterations = value("gan_iterations", 1000); ganWidth = value("gan_width", 16);
l1 = value("l1_weight", 100);
segIterations = value("seg_iterations", 400); segBatch = value("seg_batch", 0); width = value("width", 16); segDepth = value("seg_depth", 3);
validation = value("validation", 0.2); learningRate = value("learning_rate", 0.001);
validateEvery = value("validate_every", 50); editLabel = value("edit_label", 2); seed = value("seed", 1);
network = text("network", "im-mlu-net");
mixes = split(text("mixes", "R,F+R"), ",");
// segmenters' intensity preprocessing: a CT window (calibrated units, HU) mapped to [-1, 1], or the paper's percentiles
window = text("window", "-160..240");
if (window == "abdomen") window = "-160..240";
windowLow = NaN; windowHigh = NaN;
preprocessing = "window=none normalization=zscore clip_low=0.5 clip_high=99.5";
if (window != "none") {
    dots = indexOf(window, "..");
    lowText = ""; highText = "";
    if (dots > 0) { lowText = substring(window, 0, dots); highText = substring(window, dots + 2); }
    windowLow = parseFloat(lowText); windowHigh = parseFloat(highText);
    if (isNaN(windowLow) || isNaN(windowHigh) || windowLow >= windowHigh)
        exit("window must be LOW..HIGH in calibrated units (HU) with LOW < HIGH, e.g. window=-160..240, or abdomen, or none (got " + window + ").");
    preprocessing = "window_low=" + lowText + " window_high=" + highText + " normalization=-1to1";
}
t0 = getTime();

// 1. phantoms: training and test cases with different seeds
train = out + "train" + File.separator;
testDir = out + "test" + File.separator;
if (!File.exists(train + "labels")) run("MedSynth Make Phantoms", "kind=liver count=" + cases + " width=" + size + " height=" + size
    + " depth=" + depth + " seed=" + (100 * seed) + " output=[" + train + "]");
if (!File.exists(testDir + "labels")) run("MedSynth Make Phantoms", "kind=liver count=" + test + " width=" + size + " height=" + size
    + " depth=" + depth + " seed=" + (100 * seed + 10000) + " output=[" + testDir + "]");
log("segmenter preprocessing: " + preprocessing);
log("phantoms: " + cases + " training and " + test + " test volumes of " + size + " x " + size + " x " + depth);

// 2. 3D-MedGAN on the training pairs (generator depth: the patch a multiple of 2^depth, the innermost level >= 4 voxels)
ganDepth = 4;
while (ganDepth > 2 && (ganPatch < 4 * pow(2, ganDepth) || ganPatch % pow(2, ganDepth) != 0)) ganDepth--;
dLayers = 3; // discriminator receptive field: the patch must hold at least 3 x 2^layers voxels
while (dLayers > 1 && ganPatch < 3 * pow(2, dLayers)) dLayers--;
medgan = out + "medgan-liver.zip";
if (!File.exists(medgan)) {
    run("MedSynth Train 3D-MedGAN", "images=[" + train + "images] labels=[" + train + "labels] model=[" + medgan + "] mode=" + ganMode + " patch=" + ganPatch
        + " depth=" + ganDepth + " width=" + ganWidth + " d_width=" + ganWidth + " d_layers=" + dLayers + " iterations=" + ganIterations + " pool=50 l1_weight=" + l1
        + " seed=" + seed + " resume");
    log("3D-MedGAN (" + ganMode + ", patch " + ganPatch + ", depth " + ganDepth + "): " + ganIterations + " iterations, losses D " + d2s(getResult("loss D", 0), 4) + " G " + d2s(getResult("loss G", 0), 4));
}

// synthetic pairs: with several synthetic mixes one folder serves all (the largest ratio); else the model itself
fakeMixes = 0; maxRatio = 0;
for (i = 0; i < mixes.length; i++) {
    r = ratio(mixes[i]);
    if (r > 0) fakeMixes++;
    if (r > maxRatio) maxRatio = r;
}
augmentWith = medgan;
if (fakeMixes > 1) {
    augmentWith = out + "synthetic";
    if (!File.exists(augmentWith + File.separator + "augmentation.json")) {
        run("MedSynth Augment Training Set", "images=[" + train + "images] labels=[" + train + "labels] model=[" + medgan + "] output=["
            + augmentWith + "] copies=" + maxRatio + " edit_label=" + editLabel + " seed=" + seed);
        log("3D-MedGAN: " + nResults + " synthetic pairs in " + augmentWith);
    }
}

// 3.-4. one segmenter per mix, same network, iterations, seed and test set
File.makeDirectory(out + "models");
csv = "model,training data,Dice liver,Dice tumour\n";
realModel = "";
for (i = 0; i < mixes.length; i++) {
    mix = String.trim(mixes[i]);
    r = ratio(mix);
    only = !endsWith(mix, "+R") && r > 0;
    name = network + "-" + tag(mix);
    model = out + "models" + File.separator + name + ".zip";
    label = "" + (100 * r) + "% F";
    if (r == 0) label = "100% R";
    else if (!only) label = label + " + 100% R";
    // a model of an earlier run is reused only when it has this run's intensity preprocessing
    if (File.exists(model)) {
        run("MedSynth Segmenter Info", "model=[" + model + "]");
        oldLow = getResult("window low", 0); oldHigh = getResult("window high", 0);
        same = (isNaN(oldLow) && isNaN(windowLow)) || (oldLow == windowLow && oldHigh == windowHigh);
        if (!same) exit(model + " was trained with the intensity preprocessing '" + getResultString("preprocessing", 0) + "', not window="
            + window + ". Delete OUT/models and OUT/segmentations-* (or choose another output folder) to train with this window.");
    }
    if (!File.exists(model)) {
        opts = "network=" + network + " images=[" + train + "images] labels=[" + train + "labels] classes=3 model=[" + model + "] iterations="
            + segIterations + " patch=" + size + " width=" + width + " depth=" + segDepth + " learning_rate=" + learningRate + " seed=" + seed
            + " validation=" + validation + " validate_every=" + validateEvery + " " + preprocessing + " resume";
        if (segBatch > 0) opts = opts + " batch=" + segBatch;
        if (r > 0) opts = opts + " augment_with=[" + augmentWith + "] fake_ratio=" + r + " edit_label=" + editLabel;
        if (only) opts = opts + " synthetic_only";
        ts = getTime();
        run("MedSynth Train Segmenter", opts);
        log(name + " (" + label + "): trained in " + d2s((getTime() - ts) / 60000, 1) + " min");
    }
    if (r == 0) realModel = model;
    segDir = out + "segmentations-" + tag(mix);
    if (!File.exists(segDir)) run("MedSynth Segment", "model=[" + model + "] input=[" + testDir + "images] output=[" + segDir + "]");
    run("MedSynth Evaluate Segmentation", "prediction=[" + segDir + "] truth=[" + testDir + "labels] classes=1,2 output=[" + out + "evaluation-" + tag(mix) + "]");
    liver = meanDice("label 1"); tumour = meanDice("label 2");
    csv = csv + name + "," + label + "," + d2s(liver, 4) + "," + d2s(tumour, 4) + "\n";
    log(label + ": test Dice liver " + d2s(liver, 4) + ", tumour " + d2s(tumour, 4));
}
File.saveString(csv, out + "hybrid-dice.csv");
log("test Dice (mean over the " + test + " test volumes):\n" + replace(csv, ",", " | "));

// 5. quality check with the segmenter trained on real data only (the paper trains it on real data)
if (realModel != "") {
    run("MedSynth Check Synthesis Quality", "model=[" + medgan + "] segmenter=[" + realModel + "] labels=[" + testDir + "labels] images=["
        + testDir + "images] seed=" + seed);
    for (i = 0; i < nResults; i++) if (getResultString("label map", i) == "mean")
        log("quality check, " + getResultString("class", i) + " (label " + getResult("label", i) + "): Dice on synthetic volumes "
            + d2s(getResult("Dice synthetic", i), 4) + ", on the real images " + d2s(getResult("Dice real", i), 4)
            + "; mean intensity inside the label: synthetic " + d2s(getResult("mean synthetic", i), 1) + ", real "
            + d2s(getResult("mean real", i), 1) + " (HU)");
    saveAs("Results", out + "synthesis-quality.csv");
}
log("done in " + d2s((getTime() - t0) / 60000, 1) + " min; Dice table " + out + "hybrid-dice.csv");
if (nImages > 0) close("*");

// ---------------------------------------------------------------- helpers
function log(s) { print("Hybrid: " + s); }

// value of key=value in the macro argument, or the default
function text(key, dflt) {
    for (k = 1; k < args.length; k++) if (startsWith(args[k], key + "=")) return substring(args[k], lengthOf(key) + 1);
    return dflt;
}
function value(key, dflt) { return parseFloat(text(key, "" + dflt)); }

// synthetic pairs per real pair of a mix: R -> 0, F / F+R -> 1, 3F+R -> 3
function ratio(mix) {
    mix = String.trim(mix);
    if (mix == "R") return 0;
    f = indexOf(mix, "F");
    if (f < 0) exit("Unknown mix '" + mix + "': use R, F, F+R, 3F+R, ... (kF = k synthetic pairs per real pair, +R = with the real pairs)");
    if (f == 0) return 1;
    return parseInt(substring(mix, 0, f));
}
function tag(mix) {
    r = ratio(mix);
    if (r == 0) return "real";
    t = "fake" + r;
    if (endsWith(String.trim(mix), "+R")) t = t + "+real";
    return t;
}
// mean Dice over the test images of one class in the Results table of Evaluate Segmentation
function meanDice(cls) {
    s = 0; n = 0;
    for (j = 0; j < nResults; j++) if (getResultString("class", j) == cls) { d = getResult("Dice", j); if (!isNaN(d)) { s += d; n++; } }
    if (n == 0) return NaN;
    return s / n;
}

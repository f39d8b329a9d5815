// MedSynth segmentation comparison: the experiment of Tables 2 and 4 of the hybrid segmentation paper (Sun et al.,
// IEEE Access 2020) reproduced in shape on liver CT phantoms. Every segmentation network of MedSynth (U-Net,
// Attention U-Net = the paper's AgNet, U-Net++, MLU-Net, Info-Max-Net, IM-MLU-Net) is trained with the same budget
// (iterations, patch, batch, learning rate and its decay, seed, preprocessing) on the same training phantoms, segments
// the same held-out test phantoms (other seeds), and is scored with Evaluate Segmentation (Dice of liver = label 1 and
// tumour = label 2). The result is ONE table, network x {Dice liver, Dice tumour, mean, times, parameters}, in the
// Results window and in OUT/segmentation-comparison.csv. See docs/segmentation-comparison.md for a run and its reading.
//
// Headless: bin/medsynth-headless macros/MedSynth_Segmentation_Comparison.ijm "OUT [ITERATIONS [SIZE]] [key=value ...]"
// GUI:      Plugins>Macros>Run..., then choose the output folder (the defaults below are used).
//   ITERATIONS  training steps per network (default 150; the paper: 3000)
//   SIZE        phantom volume WxHxD (default 64x64x24)
//   train=80 test=20        number of training and test phantoms (the paper's 80/20 split of LIVER100)
//   train_seed=1000 test_seed=5000   seeds of the first training / test phantom (case i: seed + i - 1; keep them apart)
//   patch=64x64x16          training patch; WxHxD = 3D networks (as the paper's 48x256x256 chunks), one number or WxH =
//                           2D networks trained and applied slice by slice
//   width=8 depth=3 batch=1 lr=0.001 seed=1 norm=batch rare_share=0.333
//   window=-160..240        intensity preprocessing. Default: the abdominal CT window -160..240 HU mapped to [-1, 1]
//                           (Train Segmenter window_low/window_high, normalization=-1to1), because the phantoms are CT
//                           volumes in HU; LOW..HIGH sets another window (calibrated units), "abdomen" = -160..240, and
//                           window=none gives the paper's preprocessing (0.5/99.5 % percentile clipping + z-score)
//   networks=unet,attention-unet,unet++,mlu-net,info-max-net,im-mlu-net   (comma-separated subset)
// Example quick run (about a minute): "OUT 2 32x32x8 train=2 test=1 patch=32x32x8 width=2"
setBatchMode(true);
requires("1.54");

// ------------------------------------------------------------------ arguments
out = "";
iterations = 150;
size = "64x64x24";
nTrain = 80;
nTest = 20;
trainSeed = 1000;
testSeed = 5000;
patch = "64x64x16";
width = 8;
depth = 3;
batch = 1;
lr = "0.001";
seed = 1;
norm = "batch";
rareShare = "0.333";
window = "-160..240";
networkList = "unet,attention-unet,unet++,mlu-net,info-max-net,im-mlu-net";

arg = String.trim(getArgument());
tokens = newArray(0);
if (arg != "") tokens = split(arg, " ");
positional = 0;
for (i = 0; i < tokens.length; i++) {
    tok = String.trim(tokens[i]);
    if (tok == "") continue;
    eq = indexOf(tok, "=");
    if (eq > 0) {
        key = substring(tok, 0, eq);
        value = substring(tok, eq + 1);
        if (key == "train") nTrain = parseInt(value);
        else if (key == "test") nTest = parseInt(value);
        else if (key == "train_seed") trainSeed = parseInt(value);
        else if (key == "test_seed") testSeed = parseInt(value);
        else if (key == "patch") patch = value;
        else if (key == "width") width = parseInt(value);
        else if (key == "depth") depth = parseInt(value);
        else if (key == "batch") batch = parseInt(value);
        else if (key == "lr" || key == "learning_rate") lr = value;
        else if (key == "seed") seed = parseInt(value);
        else if (key == "norm") norm = value;
        else if (key == "rare_share") rareShare = value;
        else if (key == "networks") networkList = value;
        else if (key == "iterations") iterations = parseInt(value);
        else if (key == "size") size = value;
        else if (key == "window") window = value;
        else exit("Unknown argument '" + key + "'. Use train, test, train_seed, test_seed, patch, width, depth, batch, lr, seed, norm, rare_share, window or networks.");
    } else {
        if (positional == 0) out = tok;
        else if (positional == 1) iterations = parseInt(tok);
        else if (positional == 2) size = tok;
        else exit("Too many arguments: '" + tok + "'. Give OUT [ITERATIONS [SIZE]] and then key=value pairs.");
        positional++;
    }
}
if (isNaN(iterations) || iterations < 1) exit("ITERATIONS must be a positive whole number.");
if (isNaN(nTrain) || isNaN(nTest) || nTrain < 1 || nTest < 1) exit("train and test must be positive whole numbers.");
if (trainSeed + nTrain > testSeed && testSeed + nTest > trainSeed) exit("The seeds of the training phantoms (" + trainSeed + " ...) and of the test phantoms (" + testSeed + " ...) overlap; choose train_seed and test_seed further apart.");
dims = split(size, "x");
if (dims.length != 3) exit("SIZE must be WxHxD, e.g. 64x64x24 (got " + size + ").");
pw = parseInt(dims[0]); ph = parseInt(dims[1]); pd = parseInt(dims[2]);
if (isNaN(pw) || isNaN(ph) || isNaN(pd)) exit("SIZE must be WxHxD, e.g. 64x64x24 (got " + size + ").");
// intensity preprocessing: a CT window (calibrated units, HU) mapped to [-1, 1], or the paper's percentile clipping
if (window == "abdomen") window = "-160..240";
if (window == "none") {
    preprocessing = "normalization=zscore clip_low=0.5 clip_high=99.5";
} else {
    dots = indexOf(window, "..");
    lowText = ""; highText = "";
    if (dots > 0) { lowText = substring(window, 0, dots); highText = substring(window, dots + 2); }
    windowLow = parseFloat(lowText); windowHigh = parseFloat(highText);
    if (isNaN(windowLow) || isNaN(windowHigh) || windowLow >= windowHigh)
        exit("window must be LOW..HIGH in calibrated units (HU) with LOW < HIGH, e.g. window=-160..240, or abdomen, or none (got " + window + ").");
    preprocessing = "window_low=" + lowText + " window_high=" + highText + " normalization=-1to1";
}
mode = "2D (slice-wise)";
patchSides = split(patch, "x");
if (patchSides.length == 3) mode = "3D";
networks = split(networkList, ",");

if (out == "") out = getDirectory("Choose an output folder for the segmentation comparison");
if (out == "") exit("No output folder chosen.");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);
if (!File.isDirectory(out)) exit("Cannot create the output folder " + out);

// ------------------------------------------------------------------ phantoms (folders named by their settings, so a
// re-run with the same settings reuses them and other settings never mix with them)
dataDir = out + "phantoms" + File.separator;
File.makeDirectory(dataDir);
trainDir = dataDir + "train-" + size + "-seed" + trainSeed + "-n" + nTrain + File.separator;
testDir = dataDir + "test-" + size + "-seed" + testSeed + "-n" + nTest + File.separator;
if (!File.exists(trainDir + "dataset.json"))
    run("MedSynth Make Phantoms", "kind=liver count=" + nTrain + " width=" + pw + " height=" + ph + " depth=" + pd + " seed=" + trainSeed + " output=[" + trainDir + "]");
if (!File.exists(testDir + "dataset.json"))
    run("MedSynth Make Phantoms", "kind=liver count=" + nTest + " width=" + pw + " height=" + ph + " depth=" + pd + " seed=" + testSeed + " output=[" + testDir + "]");
if (nImages > 0) close("*");

settings = "iterations=" + iterations + " patch=" + patch + " batch=" + batch + " learning_rate=" + lr + " seed=" + seed
    + " width=" + width + " depth=" + depth + " norm=" + norm + " " + preprocessing + " resize=0"
    + " rare_share=" + rareShare + " augment=flips+rotations validation=0 checkpoint_every=" + iterations;
print("Segmentation comparison: " + networks.length + " networks, " + mode + ", " + nTrain + " training phantoms (seeds "
    + trainSeed + "-" + (trainSeed + nTrain - 1) + "), " + nTest + " test phantoms (seeds " + testSeed + "-" + (testSeed + nTest - 1)
    + "), " + size + " voxels");
print("Segmentation comparison: training settings (the same for every network): " + settings);

// ------------------------------------------------------------------ train, segment, evaluate every network
modelDir = out + "models" + File.separator;
predRoot = out + "predictions" + File.separator;
evalRoot = out + "evaluation" + File.separator;
File.makeDirectory(modelDir);
File.makeDirectory(predRoot);
File.makeDirectory(evalRoot);
n = networks.length;
diceLiver = newArray(n); diceTumour = newArray(n); diceMean = newArray(n);
pooledLiver = newArray(n); pooledTumour = newArray(n); tumourCases = newArray(n);
trainSec = newArray(n); segSec = newArray(n); params = newArray(n); trainParams = newArray(n); finalLoss = newArray(n);
for (k = 0; k < n; k++) {
    net = String.trim(networks[k]);
    networks[k] = net;
    model = modelDir + net + ".zip";
    // always train from scratch, so the time is the time of this run
    deleteIfThere(model);
    deleteIfThere(model + ".ckpt");
    print("Segmentation comparison: training " + net + " (" + (k + 1) + "/" + n + ")");
    t0 = getTime();
    run("MedSynth Train Segmenter", "network=" + net + " images=[" + trainDir + "images] labels=[" + trainDir + "labels] classes=3 model=["
        + model + "] " + settings);
    trainSec[k] = (getTime() - t0) / 1000;
    finalLoss[k] = getResult("loss", 0);
    if (nImages > 0) close("*");

    predDir = predRoot + net + File.separator;
    File.makeDirectory(predDir);
    old = getFileList(predDir);
    for (i = 0; i < old.length; i++) if (endsWith(old[i], "-labels.tif")) deleteIfThere(predDir + old[i]);
    t0 = getTime();
    run("MedSynth Segment", "model=[" + model + "] overlap=0.5 input=[" + testDir + "images] output=[" + predDir + "]");
    segSec[k] = (getTime() - t0) / 1000;
    for (i = 0; i < nResults; i++)
        if (getResultString("written", i) != "yes") exit("Segment did not write " + getResultString("file", i) + ": " + getResultString("detail", i));

    evalDir = evalRoot + net + File.separator;
    File.makeDirectory(evalDir);
    run("MedSynth Evaluate Segmentation", "prediction=[" + predDir + "] truth=[" + testDir + "labels] classes=1,2 output=[" + evalDir + "]");
    // Results = one row per test case and class. Per-case mean over the cases that contain the class (Dice of a class
    // absent from both truth and prediction is 1 by convention and would inflate the mean), and pooled over all voxels.
    s1 = 0; c1 = 0; s2 = 0; c2 = 0;
    tp1 = 0; fp1 = 0; fn1 = 0; tp2 = 0; fp2 = 0; fn2 = 0;
    for (i = 0; i < nResults; i++) {
        cls = getResultString("class", i);
        tp = getResult("TP", i); fp = getResult("FP", i); fn = getResult("FN", i);
        d = getResult("Dice", i);
        if (cls == "label 1") {
            tp1 += tp; fp1 += fp; fn1 += fn;
            if (tp + fn > 0) { s1 += d; c1++; }
        } else if (cls == "label 2") {
            tp2 += tp; fp2 += fp; fn2 += fn;
            if (tp + fn > 0) { s2 += d; c2++; }
        }
    }
    diceLiver[k] = s1 / c1;
    diceTumour[k] = NaN;
    if (c2 > 0) diceTumour[k] = s2 / c2;
    tumourCases[k] = c2;
    diceMean[k] = (diceLiver[k] + diceTumour[k]) / 2;
    pooledLiver[k] = 2 * tp1 / (2 * tp1 + fp1 + fn1);
    pooledTumour[k] = 2 * tp2 / (2 * tp2 + fp2 + fn2);
    if (2 * tp2 + fp2 + fn2 == 0) pooledTumour[k] = 1;
    if (nImages > 0) close("*");

    run("MedSynth Segmenter Info", "model=[" + model + "]");
    params[k] = getResult("parameters", 0);
    trainParams[k] = getResult("training parameters", 0);
    print("Segmentation comparison: " + net + ": Dice liver " + d2s(diceLiver[k], 4) + ", tumour " + d2s(diceTumour[k], 4)
        + " (" + c2 + " test cases with tumour), training " + d2s(trainSec[k], 1) + " s");
}

// ------------------------------------------------------------------ the table
run("Clear Results");
for (k = 0; k < n; k++) {
    setResult("network", k, networks[k]);
    setResult("Dice liver", k, diceLiver[k]);
    setResult("Dice tumour", k, diceTumour[k]);
    setResult("Dice mean", k, diceMean[k]);
    setResult("Dice liver pooled", k, pooledLiver[k]);
    setResult("Dice tumour pooled", k, pooledTumour[k]);
    setResult("tumour cases", k, tumourCases[k]);
    setResult("training s", k, trainSec[k]);
    setResult("segmentation s", k, segSec[k]);
    setResult("parameters", k, params[k]);
    setResult("training parameters", k, trainParams[k]);
    setResult("final loss", k, finalLoss[k]);
    setResult("mode", k, mode);
    setResult("iterations", k, iterations);
    setResult("patch", k, patch);
    setResult("window", k, window);
}
updateResults();
// the CSV is written here (not with saveAs("Results")) to keep 4 decimals and leave out row numbers
csv = out + "segmentation-comparison.csv";
text = "network,Dice liver,Dice tumour,Dice mean,Dice liver pooled,Dice tumour pooled,tumour cases,training s,segmentation s,"
    + "parameters,training parameters,final loss,mode,iterations,patch,batch,learning rate,width,depth,seed,train,test,size,window\n";
for (k = 0; k < n; k++)
    text = text + networks[k] + "," + d2s(diceLiver[k], 4) + "," + d2s(diceTumour[k], 4) + "," + d2s(diceMean[k], 4) + ","
        + d2s(pooledLiver[k], 4) + "," + d2s(pooledTumour[k], 4) + "," + tumourCases[k] + "," + d2s(trainSec[k], 1) + ","
        + d2s(segSec[k], 1) + "," + d2s(params[k], 0) + "," + d2s(trainParams[k], 0) + "," + d2s(finalLoss[k], 4) + "," + mode + ","
        + iterations + "," + patch + "," + batch + "," + lr + "," + width + "," + depth + "," + seed + "," + nTrain + "," + nTest + ","
        + size + "," + window + "\n";
File.saveString(text, csv);

// the same table as markdown in the Log (for reports)
print("| network | Dice liver | Dice tumour | mean | Dice liver (pooled) | Dice tumour (pooled) | training (s) | segmentation (s) | parameters | with MI encoder + critic |");
print("|---|---|---|---|---|---|---|---|---|---|");
for (k = 0; k < n; k++)
    print("| " + networks[k] + " | " + d2s(diceLiver[k], 4) + " | " + d2s(diceTumour[k], 4) + " | " + d2s(diceMean[k], 4) + " | "
        + d2s(pooledLiver[k], 4) + " | " + d2s(pooledTumour[k], 4) + " | " + d2s(trainSec[k], 1) + " | " + d2s(segSec[k], 1) + " | "
        + d2s(params[k], 0) + " | " + d2s(trainParams[k], 0) + " |");
print("Segmentation comparison: table written to " + csv);

function deleteIfThere(path) {
    if (File.exists(path)) {
        File.delete(path);
        if (File.exists(path)) exit("Cannot delete the old " + path + "; remove it or choose another output folder.");
    }
}

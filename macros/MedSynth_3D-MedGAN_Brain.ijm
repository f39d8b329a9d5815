// MedSynth 3D-MedGAN pipeline (hybrid segmentation paper, IEEE Access 2020, sections I.A and V) on the bundled
// real brain MR volume and its label map (sample-data/brain: ch2 T1 template + Brodmann atlas, 181 x 217 x 181):
//   1. train 3D-MedGAN (label map -> MR volume) on the pair,
//   2. edit the label map (Brodmann area 17, the primary visual cortex, scaled by 1.3),
//   3. synthesise an MR volume from the original and from the edited label map,
//   4. write 2 synthetic image/label pairs per real pair for segmentation training (Augment Training Set).
// The second stage of the paper's pipeline (IM-MLU-MedGAN: segmenter trained on real + synthetic pairs, tested on held-out
// cases, plus the Fig. 3 quality check) needs several labelled cases and a test set, which one brain volume does not give:
// macros/MedSynth_Hybrid_Liver.ijm runs both stages end to end on liver phantoms (and Table 1's mixes with mixes=R,F,F+R,3F+R).
// To continue from this macro's output instead: run("MedSynth Train Segmenter", "... augment_with=[OUT/synthetic] fake_ratio=2").
//
// Headless: bin/medsynth-headless macros/MedSynth_3D-MedGAN_Brain.ijm "OUTPUT_FOLDER [ITERATIONS [PATCH]]"
// GUI:      Plugins>Macros>Run..., then choose the output folder (and the sample-data/brain files if asked).
// Defaults: 1000 iterations on 64^3 patches with an L1 term (l1_weight=100, as pix2pix: at CPU budgets the paper's pure
// least-squares loss leaves noisy, offset intensities); docs/benchmarks.md gives the time per iteration on your kind of
// machine (0.5 s on 2 quiet cores, 1-1.5 s under load, so 10-25 min). What to expect at which budget, with pictures:
// docs/quality.md. The volumes are synthesised in one pass over the whole brain (no tile seams; 6-8 GB of memory, MEDSYNTH_JAVA_OPTS=-Xmx8g
// or more; with less it falls back to the largest tiles that fit)
// with the model's per-label intensity calibration. "OUT 20 32" is a quick smoke run.
setBatchMode(true);
args = split(getArgument(), " ");
out = "";
iterations = 1000;
patch = 64;
if (args.length > 0) out = args[0];
if (args.length > 1) iterations = parseInt(args[1]);
if (args.length > 2) patch = parseInt(args[2]);
if (out == "") out = getDirectory("Choose an output folder for the 3D-MedGAN results");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);

home = call("java.lang.System.getProperty", "medsynth.home");
t1 = home + "/sample-data/brain/ch2.nii.gz";
atlas = home + "/sample-data/brain/brodmann.nii.gz";
if (home == "null" || !File.exists(t1)) t1 = File.openDialog("Choose sample-data/brain/ch2.nii.gz");
if (home == "null" || !File.exists(atlas)) atlas = File.openDialog("Choose sample-data/brain/brodmann.nii.gz");

// training folders: images and label maps are matched by file name
images = out + "real" + File.separator + "images" + File.separator;
labels = out + "real" + File.separator + "labels" + File.separator;
File.makeDirectory(out + "real");
File.makeDirectory(images);
File.makeDirectory(labels);
if (!File.exists(images + "brain.nii.gz")) File.copy(t1, images + "brain.nii.gz");
if (!File.exists(labels + "brain.nii.gz")) {
    // The Brodmann atlas covers grey and white matter alike: split into tissue classes by the T1 (white matter 49,
    // CSF 50 in sulci and ventricles, deep grey matter 51), the label map marks the sulci and ventricles 3D-MedGAN draws
    run("MedSynth Open NIfTI", "path=[" + atlas + "]");
    run("MedSynth Split Labels into Tissue Classes", "intensity=[" + t1 + "] white_label=0 csf_label=0 deep_label=0");
    run("MedSynth Save NIfTI", "path=[" + labels + "brain.nii.gz]");
    close("*");
}

// generator depth: 4 for 64^3 patches; smaller patches need a shallower U-Net (innermost level >= 4 voxels)
depth = 4;
while (depth > 2 && patch < 4 * pow(2, depth)) depth--;
model = out + "medgan-brain.zip";
print("3D-MedGAN: training " + iterations + " iterations on " + patch + "^3 patches, generator depth " + depth + " (model " + model + ")");
run("MedSynth Train 3D-MedGAN", "images=[" + images + "] labels=[" + labels + "] model=[" + model + "] mode=3D patch=" + patch
    + " depth=" + depth + " iterations=" + iterations + " l1_weight=100 pool=50 seed=1 resume");
print("3D-MedGAN: labels " + getResultString("labels", 0) + "; final losses D " + d2s(getResult("loss D", 0), 4)
    + " G " + d2s(getResult("loss G", 0), 4) + "; loss curves " + getResultString("loss curves", 0));
if (nImages > 0) close("*");

run("MedSynth Open NIfTI", "path=[" + labels + "brain.nii.gz]");
original = getTitle();
run("MedSynth Synthesize Volume", "model=[" + model + "] seed=1");
run("MedSynth Save NIfTI", "path=[" + out + "brain-synthetic.nii.gz]");
print("3D-MedGAN: wrote " + out + "brain-synthetic.nii.gz (from the original label map)");

selectImage(original);
run("MedSynth Edit Label Map", "label=17 operation=scale factor=1.3 fill=-1");
print("3D-MedGAN: area 17 " + getResult("voxels before", 0) + " -> " + getResult("voxels after", 0) + " voxels");
edited = getTitle();
run("MedSynth Save NIfTI", "path=[" + out + "brodmann-area17-x1.3.nii.gz]");
selectImage(edited);
run("MedSynth Synthesize Volume", "model=[" + model + "] seed=1");
run("MedSynth Save NIfTI", "path=[" + out + "brain-area17-x1.3-synthetic.nii.gz]");
print("3D-MedGAN: wrote " + out + "brain-area17-x1.3-synthetic.nii.gz (from the edited label map)");

if (!File.exists(out + "synthetic" + File.separator + "augmentation.json")) {
    run("MedSynth Augment Training Set", "images=[" + images + "] labels=[" + labels + "] model=[" + model + "] output=["
        + out + "synthetic] copies=2 edit_label=0 min_factor=0.8 max_factor=1.25 max_shift=4 max_shift_z=4 seed=1");
    print("3D-MedGAN: wrote " + nResults + " synthetic pairs to " + out + "synthetic");
}
print("3D-MedGAN: done");

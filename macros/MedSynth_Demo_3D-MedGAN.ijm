// MedSynth demo: 3D-MedGAN (label map -> image) on the bundled real brain MR (ch2) and its Brodmann label map split into tissue classes,
// trained slice-wise (mode=2D, with the L1 term, no noise input) for a CPU budget of about 4 minutes, then MR slices synthesised from the label map;
// writes real | label map | synthetic for axial slice 90. Train on the whole volume in 3D with
// macros/MedSynth_3D-MedGAN_Brain.ijm (the paper's setting; docs/medgan.md and docs/quality.md say what to expect).
// Headless: bin/medsynth-headless macros/MedSynth_Demo_3D-MedGAN.ijm OUTPUT_FOLDER   (bin/medsynth-demo runs it)
setBatchMode(true);
out = getArgument();
if (out == "") out = getDirectory("Choose an output folder for the demo results");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);
home = call("java.lang.System.getProperty", "medsynth.home");
t1 = home + "/sample-data/brain/ch2.nii.gz";
atlas = home + "/sample-data/brain/brodmann.nii.gz";
if (home == "null" || !File.exists(t1)) t1 = File.openDialog("Choose sample-data/brain/ch2.nii.gz");
if (home == "null" || !File.exists(atlas)) atlas = File.openDialog("Choose sample-data/brain/brodmann.nii.gz");

work = out + "medgan" + File.separator;
images = work + "images" + File.separator;
labels = work + "labels" + File.separator;
File.makeDirectory(work);
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

model = work + "medgan-brain-2d.zip";
if (File.exists(model)) File.delete(model);
if (File.exists(model + ".ckpt")) File.delete(model + ".ckpt");
print("MedSynth demo: training 3D-MedGAN slice-wise on the brain MR and its label map");
t0 = getTime();
run("MedSynth Train 3D-MedGAN", "images=[" + images + "] labels=[" + labels + "] model=[" + model
    + "] mode=2D patch=128 depth=5 iterations=800 l1_weight=100 noise=none pool=50 seed=1 checkpoint_every=800");
print("MedSynth demo: trained in " + d2s((getTime() - t0) / 1000, 0) + " s; model " + model);
if (nImages > 0) close("*");

// a slab of 21 axial slices around slice 90 (the whole volume takes about a minute more)
first = 80; last = 100; z = 90 - first + 1;
run("MedSynth Open NIfTI", "path=[" + labels + "brain.nii.gz]");
run("Make Substack...", "slices=" + first + "-" + last);
labelMap = getImageID();
t0 = getTime();
run("MedSynth Synthesize Volume", "model=[" + model + "] seed=1");
synthetic = getImageID();
print("MedSynth demo: synthesised slices " + first + "-" + last + " in " + d2s((getTime() - t0) / 1000, 0) + " s");
run("MedSynth Save NIfTI", "path=[" + out + "brain-synthetic-slices.nii.gz]");
run("MedSynth Open NIfTI", "path=[" + images + "brain.nii.gz]");
run("Make Substack...", "slices=" + first + "-" + last);
real = getImageID();

panel(real, "real", true);
panel(labelMap, "labels", false);
panel(synthetic, "synthetic", true);
run("Combine...", "stack1=real stack2=labels");
rename("real-labels");
run("Combine...", "stack1=real-labels stack2=synthetic");
run("Size...", "width=" + (2 * getWidth()) + " height=" + (2 * getHeight()) + " interpolation=Bilinear");
saveAs("PNG", out + "brain-real-labels-synthetic.png");
print("MedSynth demo: wrote " + out + "brain-real-labels-synthetic.png (real | label map | 3D-MedGAN, slice 90)");
print("MedSynth demo: wrote " + out + "brain-synthetic-slices.nii.gz (synthetic slices " + first + "-" + last + ")");

function panel(id, title, grey) {
    selectImage(id);
    setSlice(z);
    run("Duplicate...", "title=" + title);
    if (grey) {
        run("Enhance Contrast", "saturated=0.35");
    } else {
        setMinAndMax(0, 52);          // Brodmann areas 1..52
        run("3-3-2 RGB");
    }
    run("RGB Color");
}

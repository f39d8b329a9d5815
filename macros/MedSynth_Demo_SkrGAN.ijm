// MedSynth demo: train a small SkrGAN on the bundled fundus photograph (augmented copies), then generate
// images with their sketches and render the real image's sketch. A CPU budget of a few minutes gives a model
// that shows the pipeline working end to end, not the paper's image quality (which needs thousands of images
// and days of GPU time). Then images from the bundled model sample-data/models/skrgan-fundus-64.zip, which
// macros/MedSynth_SkrGAN_Fundus.ijm trained in about 75 minutes on 2 cores: vessel-tree sketches and their renderings.
// Headless: bin/medsynth-headless macros/MedSynth_Demo_SkrGAN.ijm OUTPUT_FOLDER   (bin/medsynth-demo runs it)
setBatchMode(true);
out = getArgument();
if (out == "") out = getDirectory("Choose an output folder for the demo results");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);
home = call("java.lang.System.getProperty", "medsynth.home");
sample = home + "/sample-data/fundus/retina-512.png";
if (home == "null" || !File.exists(sample)) sample = File.openDialog("Choose sample-data/fundus/retina-512.png");
train = out + "skrgan-training-images" + File.separator;
File.makeDirectory(train);
open(sample);
saveAs("PNG", train + "retina.png");
close();
model = out + "skrgan-fundus.zip";
if (File.exists(model)) File.delete(model);
print("MedSynth demo: training SkrGAN (32 px, tiny networks) on augmented copies of " + sample);
t0 = getTime();
run("MedSynth Train SkrGAN", "images=[" + train + "] model=[" + model + "] architecture=skrgan stage=both resolution=32 rgb iterations=320 render_iterations=240 batch=8 width=0.0625 render_width=8 augment=31 seed=1 checkpoint_every=100");
print("MedSynth demo: trained in " + d2s((getTime() - t0) / 1000, 0) + " s; model " + model);
run("MedSynth Generate Images", "model=[" + model + "] count=8 seed=1 output=[" + out + "generated]");
open(out + "skrgan-training-images/retina.png");
run("MedSynth Extract Sketch", "sigma=2 threshold=Li level=0.2 radius=1 channel=green");
saveAs("PNG", out + "retina-sketch-512.png");
run("MedSynth Render Sketch", "model=[" + model + "]");
saveAs("PNG", out + "retina-sketch-rendered.png");
print("MedSynth demo: generated images in " + out + "generated, rendered sketch " + out + "retina-sketch-rendered.png");

bundled = home + "/sample-data/models/skrgan-fundus-64.zip";
if (home != "null" && File.exists(bundled)) {
    run("MedSynth Generate Images", "model=[" + bundled + "] count=16 seed=1 output=[" + out + "skrgan-fundus-64-generated]");
    File.openSequence(out + "skrgan-fundus-64-generated", " filter=image_");
    rename("generated images");
    File.openSequence(out + "skrgan-fundus-64-generated", " filter=sketch_");
    run("RGB Color");
    rename("generated sketches");
    run("Concatenate...", "  title=both image1=[generated images] image2=[generated sketches]");
    run("Make Montage...", "columns=8 rows=4 scale=2 border=2");
    saveAs("PNG", out + "skrgan-fundus-64.png");
    close("*");
    print("MedSynth demo: 16 images and sketches of the bundled 64 px SkrGAN in " + out + "skrgan-fundus-64.png");
}

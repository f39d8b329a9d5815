// MedSynth demo: train a small SkrGAN on the bundled fundus photograph (augmented copies), then generate
// images with their sketches and render the real image's sketch. A CPU budget of a few minutes gives a model
// that shows the pipeline working end to end, not the paper's image quality (which needs thousands of images
// and days of GPU time).
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

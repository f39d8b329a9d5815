// MedSynth SkrGAN on the bundled fundus photograph at 64 px: the longest run that the quality measurements support on a
// CPU (docs/quality.md, "SkrGAN at 64 px"): G_S/D_S grow on PGGAN's schedule from 4 to 64 px (72 % of the iterations at
// 64 px) on sketch drafts of 32 augmented copies of the photograph, G_P learns to render them; then 16 images are
// generated with their sketches, and the photograph's own sketch draft is rendered.
//
// Headless: bin/medsynth-headless macros/MedSynth_SkrGAN_Fundus.ijm "OUTPUT_FOLDER [ITERATIONS [RENDER_ITERATIONS]]"
// GUI:      Plugins>Macros>Run..., then choose the output folder (and sample-data/fundus/retina-512.png if asked).
// Defaults: 10000 sketch + 4000 render iterations: about an hour on 2 quiet cores with engine libtorch (set it once in
// Plugins>MedSynth>MedSynth Options, or run headless with MEDSYNTH_JAVA_OPTS="-Xmx8g -Dmedsynth.engine=libtorch"),
// about 1.4x that on DL4J. sample-data/models/skrgan-fundus-64.zip is such a model (see sample-data/models/README.md). The training checkpoints every 500 iterations and this macro resumes it when started again
// with the same output folder. "OUT 600 100" is a quick smoke run (blurred squares: see docs/quality.md).
// Writes: skrgan-fundus-64.zip (the model), generated/ (image_0001.png ..., sketch_0001.png ...),
// generated-montage.png (top two rows: 16 images, bottom two rows: their sketches), retina-sketch-rendered.png.
setBatchMode(true);
args = split(getArgument(), " ");
out = "";
iterations = 10000;
renderIterations = 4000;
if (args.length > 0) out = args[0];
if (args.length > 1) iterations = parseInt(args[1]);
if (args.length > 2) renderIterations = parseInt(args[2]);
if (out == "") out = getDirectory("Choose an output folder for the SkrGAN results");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);

home = call("java.lang.System.getProperty", "medsynth.home");
sample = home + "/sample-data/fundus/retina-512.png";
if (home == "null" || !File.exists(sample)) sample = File.openDialog("Choose sample-data/fundus/retina-512.png");
train = out + "training-images" + File.separator;
File.makeDirectory(train);
if (!File.exists(train + "retina.png")) File.copy(sample, train + "retina.png");

model = out + "skrgan-fundus-64.zip";
if (!File.exists(model)) {
    print("SkrGAN: training " + iterations + " sketch + " + renderIterations + " render iterations at 64 px (model " + model + ")");
    run("MedSynth Train SkrGAN", "images=[" + train + "] model=[" + model + "] architecture=skrgan stage=both resolution=64 rgb"
        + " iterations=" + iterations + " render_iterations=" + renderIterations + " batch=8 width=0.0625 render_width=8 augment=31"
        + " seed=1 checkpoint_every=500 resume");
    print("SkrGAN: " + getResultString("status", 0) + " after " + d2s(getResult("seconds", 0), 0) + " s");
    if (!File.exists(model)) exit("SkrGAN: training stopped before the end; start the macro again with the same folder to resume.");
}

generated = out + "generated" + File.separator;
if (!File.exists(generated + "image_0001.png")) run("MedSynth Generate Images", "model=[" + model + "] count=16 seed=1 output=[" + generated + "]");
File.openSequence(generated, " filter=image_");
rename("generated images");
File.openSequence(generated, " filter=sketch_");
run("RGB Color");
rename("generated sketches");
run("Concatenate...", "  title=both image1=[generated images] image2=[generated sketches]");
run("Make Montage...", "columns=8 rows=4 scale=2 border=2");
saveAs("PNG", out + "generated-montage.png");
close("*");

open(train + "retina.png");
run("MedSynth Extract Sketch", "sigma=2 threshold=Li level=0.2 radius=1 channel=green");
run("MedSynth Render Sketch", "model=[" + model + "]");
saveAs("PNG", out + "retina-sketch-rendered.png");
close("*");
print("SkrGAN: wrote " + out + "generated-montage.png, " + generated + " and " + out + "retina-sketch-rendered.png");

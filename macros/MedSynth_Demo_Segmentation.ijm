// MedSynth demo: train a segmenter (U-Net, 2D slice-wise) on generated liver CT phantoms, then segment the two
// bundled phantoms it has never seen, print the Dice of liver and tumour for each, and write a picture of
// image | ground truth | MedSynth's segmentation (middle slice of case001).
// A CPU budget of about 3 minutes: the liver is found well; tumours need longer training (docs/segmentation-comparison.md).
// Headless: bin/medsynth-headless macros/MedSynth_Demo_Segmentation.ijm OUTPUT_FOLDER   (bin/medsynth-demo runs it)
// GUI:      Plugins>Macros>Run..., then choose the output folder.
setBatchMode(true);
out = getArgument();
if (out == "") out = getDirectory("Choose an output folder for the demo results");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);
home = call("java.lang.System.getProperty", "medsynth.home");
test = home + "/sample-data/phantoms/liver/";
if (home == "null" || !File.exists(test + "dataset.json")) test = getDirectory("Choose sample-data/phantoms/liver");
if (!endsWith(test, File.separator)) test = test + File.separator;

work = out + "segmentation" + File.separator;
File.makeDirectory(work);
train = work + "training-phantoms" + File.separator;
// training phantoms from seeds 101-108; the bundled test phantoms were made from seeds 4 and 5
if (!File.exists(train + "dataset.json"))
    run("MedSynth Make Phantoms", "kind=liver count=8 width=96 height=96 slices=24 seed=101 output=[" + train + "]");
if (nImages > 0) close("*");

model = work + "unet-liver.zip";
if (File.exists(model)) File.delete(model);
if (File.exists(model + ".ckpt")) File.delete(model + ".ckpt");
print("MedSynth demo: training a 2D U-Net on 8 liver phantoms (" + train + ")");
t0 = getTime();
run("MedSynth Train Segmenter", "network=unet images=[" + train + "images] labels=[" + train + "labels] classes=3 model=[" + model
    + "] iterations=300 patch=96x96 batch=2 learning_rate=0.001 seed=1 validation=0 width=16 depth=3 norm=batch"
    + " normalization=-1to1 window=abdomen rare_share=0.5 augment=flips+rotations checkpoint_every=300");
print("MedSynth demo: trained in " + d2s((getTime() - t0) / 1000, 0) + " s; model " + model);
if (nImages > 0) close("*");

pred = work + "predictions" + File.separator;
File.makeDirectory(pred);
list = getFileList(pred);
for (i = 0; i < list.length; i++) File.delete(pred + list[i]);
run("MedSynth Segment", "model=[" + model + "] overlap=0.5 input=[" + test + "images] output=[" + pred + "]");
run("MedSynth Evaluate Segmentation", "prediction=[" + pred + "] truth=[" + test + "labels] classes=1,2 output=[" + work + "evaluation]");
for (i = 0; i < nResults; i++)
    print("MedSynth demo: " + getResultString("image", i) + " " + replace(replace(getResultString("class", i), "label 1", "liver"), "label 2", "tumour") + " Dice " + d2s(getResult("Dice", i), 3));

// picture: CT (abdominal window -160..240 HU) | truth | MedSynth, middle slice of case001; liver green, tumour red
open(test + "images/case001.tif");
ct = getImageID();
z = round(nSlices / 2);
setSlice(z);
w = getWidth(); h = getHeight();
open(test + "labels/case001.tif");
truth = getImageID();
setSlice(z);
open(pred + "case001-labels.tif");
mine = getImageID();
setSlice(z);
newImage("segmentation-case001", "RGB black", 3 * w, h, 1);
picture = getImageID();
for (y = 0; y < h; y++) {
    for (x = 0; x < w; x++) {
        selectImage(ct);
        g = round(255 * minOf(1, maxOf(0, (calibrate(getPixel(x, y)) + 160) / 400)));
        selectImage(truth);
        t = getPixel(x, y);
        selectImage(mine);
        m = getPixel(x, y);
        selectImage(picture);
        setPixel(x, y, rgb(g, g, g));
        setPixel(x + w, y, tint(g, t));
        setPixel(x + 2 * w, y, tint(g, m));
    }
}
run("Size...", "width=" + (9 * w) + " height=" + (3 * h) + " interpolation=None");
saveAs("PNG", out + "segmentation-case001.png");
print("MedSynth demo: wrote " + out + "segmentation-case001.png (CT | truth | MedSynth; liver green, tumour red)");

function rgb(r, g, b) { return (r << 16) | (g << 8) | b; }

function tint(gray, label) {
    if (label == 1) return rgb(round(gray / 2), round(128 + gray / 2), round(gray / 2));
    if (label == 2) return rgb(255, round(gray / 3), round(gray / 3));
    return rgb(gray, gray, gray);
}

// MedSynth demo: sketch-draft extraction (SkrGAN section 2.1) on the bundled real fundus photograph.
// Headless: bin/medsynth-headless macros/MedSynth_Demo.ijm OUTPUT_FOLDER   (bin/medsynth-demo does this)
// GUI:      Plugins>Macros>Run..., then choose the output folder and sample-data/fundus/retina-512.png
// Writes retina-sketch.tif and retina-sketch.png into the output folder.
setBatchMode(true);
out = getArgument();
if (out == "") out = getDirectory("Choose an output folder for the demo results");
if (!endsWith(out, File.separator)) out = out + File.separator;
File.makeDirectory(out);
home = call("java.lang.System.getProperty", "medsynth.home");
sample = home + "/sample-data/fundus/retina-512.png";
if (home == "null" || !File.exists(sample)) sample = File.openDialog("Choose sample-data/fundus/retina-512.png");
print("MedSynth demo: extracting the sketch of " + sample);
open(sample);
run("MedSynth Extract Sketch", "sigma=2 threshold=Li level=0.2 radius=1 channel=green");
saveAs("Tiff", out + "retina-sketch.tif");
saveAs("PNG", out + "retina-sketch.png");
print("MedSynth demo: wrote " + out + "retina-sketch.tif and retina-sketch.png");

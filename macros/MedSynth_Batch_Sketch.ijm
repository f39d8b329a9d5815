// MedSynth batch: sketch drafts of every image in a folder.
// Headless: bin/medsynth-headless macros/MedSynth_Batch_Sketch.ijm "input=/path/in output=/path/out"
// GUI:      Plugins>Macros>Run... asks for both folders.
arg = getArgument();
input = ""; output = "";
parts = split(arg, " ");
for (i = 0; i < parts.length; i++) {
  if (startsWith(parts[i], "input=")) input = substring(parts[i], 6);
  if (startsWith(parts[i], "output=")) output = substring(parts[i], 7);
}
if (input == "") input = getDirectory("Folder of images");
if (output == "") output = getDirectory("Folder for the sketches");
setBatchMode(true);
run("MedSynth Extract Sketch", "sigma=2 threshold=Li level=0.2 radius=1 channel=green input=[" + input + "] output=[" + output + "]");
// The Results table lists every file with what was written or why it was skipped.
for (i = 0; i < nResults; i++) print(getResultString("file", i) + ": " + getResultString("detail", i));

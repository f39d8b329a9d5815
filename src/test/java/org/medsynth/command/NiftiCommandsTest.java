package org.medsynth.command;

import ij.ImagePlus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.ij1.MedSynthContext;
import org.medsynth.image.nifti.NiftiDataType;
import org.medsynth.image.nifti.NiftiReader;
import org.medsynth.core.UserInputException;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Open/Save NIfTI commands run through SciJava as the bridge runs them, and their menu entries. */
class NiftiCommandsTest {

    private static Context context;

    @TempDir
    Path dir;

    @BeforeAll
    static void createContext() {
        context = MedSynthContext.create(NiftiCommandsTest.class.getClassLoader());
    }

    @AfterAll
    static void dispose() {
        context.dispose();
    }

    private static Module run(Class<?> command, Object... inputs) throws Exception {
        CommandService cs = context.service(CommandService.class);
        return cs.run(command.getName(), false, inputs).get();
    }

    @Test
    void openThenSaveThroughTheCommands() throws Exception {
        Module open = run(OpenNiftiCommand.class, "path", Path.of("sample-data", "brain", "brodmann.nii.gz").toFile());
        ImagePlus imp = (ImagePlus) open.getOutput("image");
        assertNotNull(imp);
        assertEquals(181, imp.getWidth());
        assertEquals(217, imp.getHeight());
        assertEquals(181, imp.getNSlices());

        File out = dir.resolve("labels.nii").toFile();
        run(SaveNiftiCommand.class, "image", imp, "path", out, "version", "NIfTI-2", "datatype", "int16");
        assertEquals(2, NiftiReader.readHeader(out.toPath()).version);
        assertEquals(NiftiDataType.INT16.code(), NiftiReader.readHeader(out.toPath()).datatype);
        ImagePlus back = NiftiReader.read(out.toPath());
        assertEquals(48, back.getCalibration().getCValue(back.getStack().getProcessor(80 + 1).get(60, 216 - 100)), "label at voxel (60, 100, 80), as Python read it");
    }

    @Test
    void commandsReportUserErrors() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(OpenNiftiCommand.class, "path", null));
        assertTrue(rootCause(e) instanceof UserInputException, String.valueOf(rootCause(e)));
        ExecutionException e2 = assertThrows(ExecutionException.class,
                () -> run(SaveNiftiCommand.class, "image", null, "path", dir.resolve("x.nii").toFile()));
        assertTrue(rootCause(e2).getMessage().contains("image"), rootCause(e2).getMessage());
    }

    @Test
    void commandsAreDiscoveredWithTheirMacroNames() {
        CommandService cs = context.service(CommandService.class);
        CommandInfo open = cs.getCommand(OpenNiftiCommand.class);
        CommandInfo save = cs.getCommand(SaveNiftiCommand.class);
        assertEquals("MedSynth Open NIfTI", open.getLabel());
        assertEquals("MedSynth Save NIfTI", save.getLabel());
        assertEquals("path", open.getInput("path").getName());
        assertEquals(List.of("auto", "NIfTI-1", "NIfTI-2"), save.getInput("version").getChoices());
    }

    @Test
    void pluginsConfigHasUniqueLabelsAndTheNiftiEntries() throws Exception {
        Pattern line = Pattern.compile("^\\s*([^,#]+),\\s*\"([^\"]+)\",\\s*org\\.medsynth\\.launch\\.MedSynthPlugin\\(\"([^\"]+)\"\\)\\s*$");
        Map<String, String> byLabel = new HashMap<>();
        Set<String> duplicates = new HashSet<>();
        for (String l : Files.readAllLines(Path.of("plugins.config"), StandardCharsets.UTF_8)) {
            Matcher m = line.matcher(l);
            if (!m.matches()) continue;
            if (byLabel.put(m.group(2), m.group(1).trim() + " -> " + m.group(3)) != null) duplicates.add(m.group(2));
            Class.forName(m.group(3)); // every entry names an existing command class
        }
        assertTrue(duplicates.isEmpty(), "ImageJ menu labels must be unique: " + duplicates);
        assertEquals("File>Import -> org.medsynth.command.OpenNiftiCommand", byLabel.get("NIfTI (MedSynth)..."));
        assertEquals("File>Save As -> org.medsynth.command.SaveNiftiCommand", byLabel.get("NIfTI file (MedSynth)..."));
        assertEquals("Plugins>MedSynth -> org.medsynth.command.OpenNiftiCommand", byLabel.get("MedSynth Open NIfTI"));
        assertEquals("Plugins>MedSynth -> org.medsynth.command.SaveNiftiCommand", byLabel.get("MedSynth Save NIfTI"));
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}

package org.medsynth.image.nifti;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A .nii.gz that is not gzip: said so, instead of a complaint about sizeof_hdr. */
class NiftiNotGzipTest {

    @TempDir
    Path dir;

    @Test
    void anErrorPageSavedAsNiiGzIsNamedAsSuch() throws Exception {
        Path f = Files.writeString(dir.resolve("brain.nii.gz"), "<!DOCTYPE html><html><body>404 Not Found</body></html>");
        ErrorMatrix.check("nifti-gz-not-gzip", assertThrows(UserInputException.class, () -> NiftiReader.read(f)));
    }

    @Test
    void anUncompressedNiftiFileWithAGzNameIsStillRead() throws Exception {
        Path plain = dir.resolve("plain.nii");
        NiftiWriter.write(NiftiTestSupport.phantom(16, 4, 3, 2, 1, 1, 0, 100, 1), plain);
        Path misnamed = Files.copy(plain, dir.resolve("misnamed.nii.gz"));
        assertEquals(2, NiftiReader.read(misnamed).getNSlices());
    }
}

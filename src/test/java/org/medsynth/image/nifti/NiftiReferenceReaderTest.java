package org.medsynth.image.nifti;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files written by MedSynth are read correctly by an independent reader: the committed files in
 * medsynth_written/ are what the current writer produces (checked byte for byte, gzip compared
 * decompressed), and python_check.properties records what {@code nifti_reference.py check} read
 * from them: header fields, the affine, and every voxel in NIfTI order.
 */
class NiftiReferenceReaderTest {

    private static final Properties P = NiftiTestSupport.properties("medsynth_written/python_check.properties");

    @TempDir
    Path dir;

    @Test
    void pythonReadsWhatMedSynthWrites() throws Exception {
        Path committed = NiftiTestSupport.resourceDir().resolve("medsynth_written");
        for (MedSynthWrittenFixtures.Fixture f : MedSynthWrittenFixtures.all()) {
            String name = f.name();
            Path fresh = dir.resolve(name);
            NiftiWriter.write(f.image(), fresh, f.options());
            assertArrayEquals(content(committed.resolve(name)), content(fresh),
                    name + ": the writer's output changed; regenerate the fixtures and rerun nifti_reference.py check");
            if (name.endsWith(".hdr")) {
                Path img = Path.of(name.replace(".hdr", ".img"));
                assertArrayEquals(Files.readAllBytes(committed.resolve(img)), Files.readAllBytes(dir.resolve(img)));
            }
            assertEquals(P.getProperty(name + ".sha256"), sha256(committed.resolve(name)),
                    name + ": python_check.properties is stale");

            ImagePlus imp = f.image();
            NiftiHeader h = NiftiWriter.headerFor(imp, f.options());
            assertEquals(h.version, Integer.parseInt(P.getProperty(name + ".version")), name);
            assertEquals(h.byteOrder.toString().startsWith("BIG") ? "big" : "little", P.getProperty(name + ".endian"));
            assertEquals(h.datatype, Integer.parseInt(P.getProperty(name + ".datatype")), name);
            int nx = imp.getWidth(), ny = imp.getHeight(), nz = imp.getNSlices(), nt = imp.getNFrames();
            long[] dim = NiftiTestSupport.longs(P.getProperty(name + ".dim"));
            assertArrayEquals(new long[] {nt > 1 ? 4 : 3, nx, ny, nz, nt, 1, 1, 1}, dim, name);
            assertEquals(2, Integer.parseInt(P.getProperty(name + ".qform_code")));
            assertEquals(2, Integer.parseInt(P.getProperty(name + ".sform_code")));
            // the affine Python computed from the sform and from the qform is the one we meant (by hand)
            double[] srow = NiftiTestSupport.doubles(P.getProperty(name + ".srow"));
            double[] qform = NiftiTestSupport.doubles(P.getProperty(name + ".qform_affine"));
            assertArrayEquals(f.expectedSrow(), srow, 1e-6, name + " sform");
            assertArrayEquals(f.expectedSrow(), qform, 1e-6, name + " qform");

            String[] values = P.getProperty(name + ".values").split(",");
            assertEquals((long) nx * ny * nz * nt, values.length, name);
            int n = 0;
            for (int t = 0; t < nt; t++) {
                for (int k = 0; k < nz; k++) {
                    for (int j = 0; j < ny; j++) {
                        for (int i = 0; i < nx; i++, n++) {
                            double expected = NiftiTestSupport.pattern(i, j, k, t, 0, f.base(), f.modulus(), f.step());
                            String where = name + " voxel (" + i + "," + j + "," + k + "," + t + ")";
                            if (imp.getBitDepth() == 24) {
                                int c = NiftiTestSupport.rgb((long) expected);
                                assertEquals((c >> 16 & 0xff) + "/" + (c >> 8 & 0xff) + "/" + (c & 0xff), values[n], where);
                            } else {
                                assertEquals(expected, Double.parseDouble(values[n]), 1e-9, where);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void pythonSawTheUnitsAndScaling() {
        assertEquals("2", P.getProperty("mw_uint8.nii.xyzt_units"), "mm");
        assertEquals("10", P.getProperty("mw_float32_4d_v2.nii.xyzt_units"), "mm + sec");
        assertEquals("3", P.getProperty("mw_uint16_pair.hdr.xyzt_units"), "micron");
        assertEquals("2", P.getProperty("mw_scaled_int16.nii.gz.xyzt_units"), "cm written as mm");
        assertArrayEquals(new double[] {15, 15, 15}, java.util.Arrays.copyOfRange(
                NiftiTestSupport.doubles(P.getProperty("mw_scaled_int16.nii.gz.pixdim")), 1, 4), 0.0);
        assertArrayEquals(new double[] {0.5, -3}, NiftiTestSupport.doubles(P.getProperty("mw_scaled_int16.nii.gz.scl")), 0.0);
        assertEquals(2.0, NiftiTestSupport.doubles(P.getProperty("mw_float32_4d_v2.nii.pixdim"))[4], 0.0, "frame interval");
    }

    private static byte[] content(Path p) throws IOException {
        if (!p.toString().endsWith(".gz")) return Files.readAllBytes(p);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}

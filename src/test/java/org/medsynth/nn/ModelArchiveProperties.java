package org.medsynth.nn;

import org.medsynth.core.UserInputException;
import org.medsynth.core.Progress;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.nn.networks.SegmentationNetworks;
import org.medsynth.workflow.segment.SegmenterModel;
import org.medsynth.workflow.segment.SegmenterSettings;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.LongNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based tests of model loading (a segmentation model: archive, checksums, manifest, arrays,
 * network rebuild): random byte flips and truncations of the file, byte flips inside an entry with the
 * checksums recomputed (so the damage reaches the parsing), and manifest numbers replaced by absurd ones
 * always end in a loaded model or in MedSynth's user-facing error, never another exception and never an
 * out-of-memory.
 */
class ModelArchiveProperties {

    static Path dir;
    static byte[] archive;
    static Map<String, byte[]> entries;
    static List<String> entryNames;
    static int numericLeaves;

    record Flip(int position, int mask) { }

    @BeforeContainer
    static void fixtures() throws IOException {
        dir = Files.createTempDirectory("archive-properties");
        SegmentationNetworks.register();
        SegmentationNetwork net = SegmentationNetworkFamily.create("unet", new SegConfig(2, 1, 2, 2, 1, Norm.BATCH));
        ParamStore store = new ParamStore(4);
        NetBuilder b = NetBuilder.forInference(store);
        net.apply(b.network(SegmenterModel.GROUP), b.input("image", 1, 8, 8));
        SegmenterModel m = new SegmenterModel(net, SegmenterSettings.paperPreprocessing(), new int[]{8, 8},
                SegmenterModel.defaultClassNames(2), Map.of("note", "fixture"), List.of(), store);
        Path file = dir.resolve("valid.zip");
        m.save(file);
        SegmenterModel.load(file); // the fixture itself loads
        archive = Files.readAllBytes(file);
        entries = ArchiveFixtures.read(archive);
        entryNames = new ArrayList<>(entries.keySet());
        entryNames.remove(ModelArchive.SUMS);
        numericLeaves = numericPaths(new ObjectMapper().readTree(entries.get(ModelArchive.MANIFEST))).size();
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Loads the bytes as a model file: a model, or MedSynth's error; nothing else. */
    static void loadsOrExplains(byte[] bytes) throws IOException {
        loadsOrExplains(bytes, false);
    }

    /** As above; with {@code segment}, a model that loads must also segment an 8 x 8 image or refuse with the error. */
    static void loadsOrExplains(byte[] bytes, boolean segment) throws IOException {
        Path f = Files.createTempFile(dir, "case", ".zip");
        try {
            Files.write(f, bytes);
            try {
                SegmenterModel m = SegmenterModel.load(f);
                if (segment) {
                    org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(
                            org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 8, 8);
                    new org.medsynth.workflow.segment.Segmenter(m).predict(x, new int[]{8, 8}, 0, Progress.NONE);
                }
            } catch (UserInputException e) {
                assertFalse(e.getMessage() == null || e.getMessage().isBlank());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            } catch (OutOfMemoryError e) {
                fail("out of memory loading a damaged model of " + bytes.length + " bytes");
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static Arbitrary<List<Flip>> flips(int length) {
        return Combinators.combine(Arbitraries.integers().between(0, length - 1), Arbitraries.integers().between(1, 255))
                .as(Flip::new).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Flip>> fileFlips() {
        return flips(archive.length);
    }

    @Property(tries = 300)
    void flippedBytesOfTheFile(@ForAll("fileFlips") List<Flip> flips) throws IOException {
        byte[] b = archive.clone();
        for (Flip f : flips) b[f.position()] ^= (byte) f.mask();
        loadsOrExplains(b);
    }

    @Provide
    Arbitrary<Integer> truncation() {
        return Arbitraries.integers().between(0, archive.length - 1);
    }

    @Property(tries = 150)
    void truncatedFiles(@ForAll("truncation") int length) throws IOException {
        loadsOrExplains(Arrays.copyOf(archive, length));
    }

    @Provide
    Arbitrary<Integer> entryIndex() {
        return Arbitraries.integers().between(0, entryNames.size() - 1);
    }

    /** Damage inside one entry with recomputed checksums: the manifest's JSON or an array's .npy header and values. */
    @Property(tries = 400)
    void flippedBytesInsideAnEntryPastTheChecksums(@ForAll("entryIndex") int entry, @ForAll("entryFlips") List<Flip> flips)
            throws IOException {
        String name = entryNames.get(entry);
        byte[] e = entries.get(name).clone();
        for (Flip f : flips) {
            // half of the flips go to the first 128 bytes, where the .npy header and the JSON's structure are
            int pos = f.position() % 2 == 0 ? (f.position() / 2) % Math.min(128, e.length) : f.position() % e.length;
            e[pos] ^= (byte) f.mask();
        }
        Map<String, byte[]> z = new java.util.LinkedHashMap<>(entries);
        z.put(name, e);
        loadsOrExplains(ArchiveFixtures.write(ArchiveFixtures.resign(z)));
    }

    @Provide
    Arbitrary<List<Flip>> entryFlips() {
        return flips(1 << 20);
    }

    @Provide
    Arbitrary<Integer> leaf() {
        return Arbitraries.integers().between(0, numericLeaves - 1);
    }

    @Provide
    Arbitrary<Long> absurd() {
        return Arbitraries.oneOf(Arbitraries.of(-1L, 0L, 1L, 3L, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE),
                Arbitraries.longs());
    }

    /** A number of the manifest (a shape, a size, a hyper-parameter, ...) replaced by an absurd one, checksums recomputed. */
    @Property(tries = 300)
    void absurdNumbersInTheManifest(@ForAll("leaf") int leaf, @ForAll("absurd") long value) throws IOException {
        ObjectMapper om = new ObjectMapper();
        JsonNode root = om.readTree(entries.get(ModelArchive.MANIFEST));
        List<Object[]> paths = numericPaths(root);
        Object[] p = paths.get(leaf);
        if (p[0] instanceof ObjectNode o) o.set((String) p[1], LongNode.valueOf(value));
        else ((ArrayNode) p[0]).set((Integer) p[1], LongNode.valueOf(value));
        Map<String, byte[]> z = new java.util.LinkedHashMap<>(entries);
        z.put(ModelArchive.MANIFEST, om.writeValueAsBytes(root));
        loadsOrExplains(ArchiveFixtures.write(ArchiveFixtures.resign(z)), true);
    }

    /** Every number in the JSON tree as {parent, key or index}. */
    static List<Object[]> numericPaths(JsonNode node) {
        List<Object[]> out = new ArrayList<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, List<Object[]> out) {
        if (node instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(k -> {
                if (o.get(k).isNumber()) out.add(new Object[]{o, k});
                else collect(o.get(k), out);
            });
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isNumber()) out.add(new Object[]{a, i});
                else collect(a.get(i), out);
            }
        }
    }
}

package org.medsynth.nn;

import org.medsynth.core.UserInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.ConditionalGan;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelArchiveTest {
    @TempDir
    Path dir;

    static final UNet UNET = UNet.builder().inChannels(1).outChannels(1).width(4).depth(4).dropoutBlocks(1).spectralNorm(true).build();
    static final PatchGan PATCH = PatchGan.builder().inChannels(2).width(4).layers(2).build();

    /** A trained tiny pix2pix model (batch-norm running statistics, spectral-norm vectors and Adam state are non-trivial). */
    static ConditionalGan trained() {
        ConditionalGan gan = new ConditionalGan(new ParamStore(12), UNET::apply, PATCH::apply, 1, 1, new int[]{16, 16},
                ConditionalGan.GanLoss.LSGAN, 100, Adam.pix2pix(), Adam.pix2pix());
        Nd4j.getRandom().setSeed(3);
        INDArray c = Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16);
        INDArray r = Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16);
        gan.step(c, r);
        gan.step(c, r);
        return gan;
    }

    static ModelArchive.Manifest manifest(UNet g) {
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("type", "percentile");
        norm.put("low", 0.5);
        norm.put("high", 99.5);
        norm.put("range", List.of(-1, 1));
        return ModelArchive.Manifest.builder().network("generator", g).network("discriminator", PATCH).inputShape(1, 16, 16)
                .normalisation(norm).classNames(List.of("background", "liver", "tumour"))
                .addHistory(Map.of("iteration", 1, "lossD", 0.5)).addHistory(Map.of("iteration", 2, "lossD", 0.25))
                .metadata("dataset", "phantoms").build();
    }

    static INDArray generate(ParamStore store, NetBuilder b, Tensor out, INDArray c) {
        return b.sd().output(Map.of("c", c), out.var().name()).get(out.var().name());
    }

    @Test
    void saveLoadGivesIdenticalOutputAndState() throws IOException {
        ConditionalGan gan = trained();
        Path file = dir.resolve("model.zip");
        ModelArchive.save(file, manifest(UNET), gan.store(),
                Map.of("G", gan.generatorStep().optimizer(), "D", gan.discriminatorStep().optimizer()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary files left");
        }
        ModelArchive.Loaded m = ModelArchive.load(file);

        INDArray c = Nd4j.rand(DataType.FLOAT, 3, 1, 16, 16);
        NetBuilder b1 = NetBuilder.forInference(gan.store());
        Tensor o1 = UNET.apply(b1.network("G"), b1.input("c", 1, 16, 16));
        UNet g = (UNet) m.manifest().network("generator");
        NetBuilder b2 = NetBuilder.forInference(m.store());
        Tensor o2 = m.build(b2, () -> g.apply(b2.network("G"), b2.input("c", 1, 16, 16)), "G");
        assertArrayEquals(generate(gan.store(), b1, o1, c).data().asFloat(), generate(m.store(), b2, o2, c).data().asFloat());

        // every saved array is identical, including running statistics and spectral-norm vectors
        for (ParamStore.Param p : gan.store().all()) {
            if (p.role() == ParamStore.Role.DERIVED) continue;
            assertArrayEquals(p.value().data().asFloat(), m.store().array(p.name()).data().asFloat(), p.name());
            assertEquals(p.group(), m.store().get(p.name()).group());
            assertEquals(p.role(), m.store().get(p.name()).role());
        }
        // manifest
        ModelArchive.Manifest mf = m.manifest();
        assertEquals(UNET.toMap(), mf.network("generator").toMap());
        assertEquals(PATCH.toMap(), mf.network("discriminator").toMap());
        assertEquals(List.of(1, 16, 16), mf.inputShape());
        assertEquals(List.of("background", "liver", "tumour"), mf.classNames());
        assertEquals(99.5, ((Number) mf.normalisation().get("high")).doubleValue());
        assertEquals(2, mf.history().size());
        assertEquals("phantoms", mf.metadata().get("dataset"));
        // optimiser state
        Adam restored = Adam.pix2pix();
        m.restoreOptimizer("G", restored);
        Adam original = gan.generatorStep().optimizer();
        assertEquals(original.steps(), restored.steps());
        assertEquals(original.parameters(), restored.parameters());
        for (String p : original.parameters()) {
            assertArrayEquals(original.firstMoment(p).data().asFloat(), restored.firstMoment(p).data().asFloat(), p);
            assertArrayEquals(original.secondMoment(p).data().asFloat(), restored.secondMoment(p).data().asFloat(), p);
        }
    }

    @Test
    void aFileThatDoesNotMatchItsNetworkIsRefused() throws IOException {
        ConditionalGan gan = trained();
        // the manifest claims a deeper U-Net than the arrays are for
        Path deeper = dir.resolve("deeper.zip");
        UNet depth5 = UNet.builder().inChannels(1).outChannels(1).width(4).depth(5).dropoutBlocks(1).spectralNorm(true).build();
        ModelArchive.save(deeper, manifest(depth5), gan.store(), null, "G");
        ModelArchive.Loaded m = ModelArchive.load(deeper);
        NetBuilder b = NetBuilder.forInference(m.store());
        UserInputException e = assertThrows(UserInputException.class,
                () -> m.build(b, () -> depth5.apply(b.network("G"), b.input("c", 1, 32, 32)), "G"));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        // ... or a shallower one: shapes differ
        Path shallower = dir.resolve("shallower.zip");
        UNet depth3 = UNet.builder().inChannels(1).outChannels(1).width(4).depth(3).dropoutBlocks(1).spectralNorm(true).build();
        ModelArchive.save(shallower, manifest(depth3), gan.store(), null, "G");
        ModelArchive.Loaded m3 = ModelArchive.load(shallower);
        NetBuilder b3 = NetBuilder.forInference(m3.store());
        e = assertThrows(UserInputException.class, () -> m3.build(b3, () -> depth3.apply(b3.network("G"), b3.input("c", 1, 16, 16)), "G"));
        assertTrue(e.getMessage().contains("does not match") && e.getMessage().contains("shape"), e.getMessage());
        // ... or arrays the network does not use
        gan.store().put("G/extra/W", "G", ParamStore.Role.TRAINABLE, Nd4j.ones(DataType.FLOAT, 2));
        Path extra = dir.resolve("extra.zip");
        ModelArchive.save(extra, manifest(UNET), gan.store(), null, "G");
        ModelArchive.Loaded mx = ModelArchive.load(extra);
        NetBuilder bx = NetBuilder.forInference(mx.store());
        e = assertThrows(UserInputException.class, () -> mx.build(bx, () -> UNET.apply(bx.network("G"), bx.input("c", 1, 16, 16)), "G"));
        assertTrue(e.getMessage().contains("G/extra/W") && e.getMessage().contains("does not use"), e.getMessage());
    }

    static Map<String, byte[]> readZip(Path p) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(p.toFile())) {
            var en = z.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                try (InputStream in = z.getInputStream(e)) {
                    m.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return m;
    }

    static void writeZip(Path p, Map<String, byte[]> entries) throws IOException {
        Files.write(p, ArchiveFixtures.write(entries));
    }

    /** Rewrites the manifest and fixes the checksums, so only the manifest change is tested. */
    static void editManifest(Path p, UnaryOperator<Map<String, Object>> edit) throws IOException {
        Map<String, byte[]> z = readZip(p);
        ObjectMapper om = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = om.readValue(z.get("manifest.json"), Map.class);
        z.put("manifest.json", om.writeValueAsBytes(edit.apply(m)));
        StringBuilder sums = new StringBuilder();
        for (var e : z.entrySet()) if (!e.getKey().equals("SHA256SUMS")) sums.append(ModelArchive.sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
        z.put("SHA256SUMS", sums.toString().getBytes(StandardCharsets.UTF_8));
        writeZip(p, z);
    }

    static String error(Path p) {
        return assertThrows(UserInputException.class, () -> ModelArchive.load(p)).getMessage();
    }

    @Test
    void corruptTruncatedForeignAndNewerFilesAreRefusedClearly() throws IOException {
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forInference(store);
        UNET.apply(b.network("G"), b.input("c", 1, 16, 16));
        Path good = dir.resolve("good.zip");
        ModelArchive.save(good, manifest(UNET), store, null);
        byte[] bytes = Files.readAllBytes(good);

        // a changed array (zip itself intact): checksum mismatch
        Path tampered = dir.resolve("tampered.zip");
        Map<String, byte[]> z = readZip(good);
        byte[] arr = z.get("params/0.npy").clone();
        arr[arr.length - 1] ^= 0x40;
        z.put("params/0.npy", arr);
        writeZip(tampered, z);
        String msg = error(tampered);
        assertTrue(msg.contains("damaged") && msg.contains("checksum mismatch in params/0.npy"), msg);

        // a flipped byte in the file
        Path flipped = dir.resolve("flipped.zip");
        byte[] f = bytes.clone();
        f[f.length / 2] ^= 0x10;
        Files.write(flipped, f);
        msg = error(flipped);
        assertTrue(msg.contains("damaged or incomplete"), msg);

        // a truncated file
        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
        msg = error(truncated);
        assertTrue(msg.contains("damaged or incomplete") && msg.contains("Copy the model file again"), msg);

        // not a zip at all / a zip from elsewhere
        Path text = dir.resolve("notes.zip");
        Files.writeString(text, "hello");
        assertTrue(error(text).contains("notes.zip is not a MedSynth model: it is not a zip archive"), error(text));
        Path foreign = dir.resolve("foreign.zip");
        writeZip(foreign, Map.of("readme.txt", "x".getBytes(StandardCharsets.UTF_8)));
        assertTrue(error(foreign).contains("is not a MedSynth model"), error(foreign));

        // a newer format version
        Path newer = dir.resolve("newer.zip");
        Files.write(newer, bytes);
        editManifest(newer, m -> { m.put("version", 2); return m; });
        msg = error(newer);
        assertTrue(msg.contains("newer MedSynth") && msg.contains("Update MedSynth"), msg);

        // an unknown network kind
        Path unknown = dir.resolve("unknown.zip");
        Files.write(unknown, bytes);
        editManifest(unknown, m -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> g = (Map<String, Object>) ((Map<String, Object>) m.get("networks")).get("generator");
            g.put("kind", "transformer");
            return m;
        });
        assertTrue(error(unknown).contains("unknown network kind 'transformer'"), error(unknown));

        // an array whose shape disagrees with the manifest
        Path shape = dir.resolve("shape.zip");
        Files.write(shape, bytes);
        editManifest(shape, m -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> p0 = ((List<Map<String, Object>>) m.get("params")).get(0);
            p0.put("shape", List.of(1, 2, 3));
            return m;
        });
        assertTrue(error(shape).contains("has shape"), error(shape));

        // a missing file
        assertTrue(error(dir.resolve("nothing.zip")).contains("not found"));
        // and the good one still loads
        assertEquals(store.countTrainable("G"), ModelArchive.load(good).store().countTrainable("G"));
    }
}

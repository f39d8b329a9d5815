package org.medsynth.nn;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.UNet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Small model archives and zip surgery for the tests of what loading refuses. */
public final class ArchiveFixtures {
    private ArchiveFixtures() { }

    /** A valid archive with one tiny network and the given metadata (e.g. "kind"), as any trainer writes them. */
    public static Path archive(Path file, Map<String, Object> metadata) throws IOException {
        UNet net = UNet.builder().inChannels(1).outChannels(1).width(2).depth(2).build();
        ParamStore store = new ParamStore(3);
        NetBuilder b = NetBuilder.forInference(store);
        net.apply(b.network("G"), b.input("x", 1, 8, 8));
        ModelArchive.Manifest.Builder m = ModelArchive.Manifest.builder().network("generator", net).inputShape(1, 8, 8);
        metadata.forEach(m::metadata);
        ModelArchive.save(file, m.build(), store, null);
        return file;
    }

    public static Map<String, byte[]> read(byte[] zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) out.put(e.getName(), z.readAllBytes());
        }
        return out;
    }

    public static byte[] write(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    /** Recomputes SHA256SUMS, so that a change inside an entry gets past the checksums and reaches the parsing. */
    public static Map<String, byte[]> resign(Map<String, byte[]> entries) {
        Map<String, byte[]> out = new LinkedHashMap<>(entries);
        StringBuilder sums = new StringBuilder();
        for (var e : out.entrySet()) {
            if (!e.getKey().equals(ModelArchive.SUMS)) sums.append(ModelArchive.sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
        }
        out.put(ModelArchive.SUMS, sums.toString().getBytes(StandardCharsets.UTF_8));
        return out;
    }

    public static Path writeTo(Path file, Map<String, byte[]> entries) throws IOException {
        Files.write(file, write(entries));
        return file;
    }
}

package org.medsynth.nn;

import org.medsynth.core.UserInputException;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.NetworkSpec;
import org.medsynth.nn.networks.Networks;
import org.medsynth.nn.train.Adam;
import org.medsynth.util.AtomicFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A trained model in one {@code .zip} file:
 * <pre>
 *   manifest.json      format, version, networks (kind + hyper-parameters per role), input shape,
 *                      normalisation, class names, training history, free metadata, and for every
 *                      array its name, group, role, shape, data type and entry
 *   params/N.npy       the arrays (NumPy format, readable with numpy.load)
 *   optim/...          optional Adam state (checkpoints)
 *   SHA256SUMS         SHA-256 of every other entry ("hex  entry" lines)
 * </pre>
 * <b>Design choice:</b> the graph is rebuilt from the network kind and hyper-parameters
 * ({@link Networks#fromMap}) and the weights are loaded by name, rather than storing SameDiff's own
 * serialised graph: that is independent of SameDiff's file format and of how the graph was split for
 * training (D-step/G-step graphs), survives refactorings that keep parameter names, and lets loading
 * check every array against what the network needs ({@link Loaded#build}).
 *
 * <p>Files are written atomically (temporary file, then rename). Loading verifies the checksums, the
 * format and version, every array's shape and type, and that the network kinds are known; any problem
 * is a {@link UserInputException} that says what is wrong and what to do.
 */
public final class ModelArchive {
    public static final String FORMAT = "medsynth-model";
    public static final int VERSION = 1;
    static final String MANIFEST = "manifest.json";
    static final String SUMS = "SHA256SUMS";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelArchive() { }

    /** Everything about a model except its arrays. Immutable; build with {@link #builder()}. */
    public static final class Manifest {
        private final Map<String, NetworkSpec> networks;
        private final List<Integer> inputShape;
        private final Map<String, Object> normalisation;
        private final List<String> classNames;
        private final List<Map<String, Object>> history;
        private final Map<String, Object> metadata;
        private final String created;

        private Manifest(Builder b) {
            this.networks = Collections.unmodifiableMap(new LinkedHashMap<>(b.networks));
            this.inputShape = List.copyOf(b.inputShape);
            this.normalisation = Collections.unmodifiableMap(new LinkedHashMap<>(b.normalisation));
            this.classNames = List.copyOf(b.classNames);
            this.history = List.copyOf(b.history);
            this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
            this.created = b.created;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Network of a role ("generator", "discriminator", "segmenter", ...). */
        public NetworkSpec network(String role) {
            NetworkSpec s = networks.get(role);
            if (s == null) throw new UserInputException("the model has no '" + role + "' network (it has " + networks.keySet() + ")");
            return s;
        }

        public Map<String, NetworkSpec> networks() { return networks; }

        /** Channels and spatial sizes of one input sample, e.g. [1, 256, 256]. */
        public List<Integer> inputShape() { return inputShape; }

        /** How inputs were normalised (e.g. {"type": "percentile", "low": 0.5, "high": 99.5, "range": [-1, 1]}). */
        public Map<String, Object> normalisation() { return normalisation; }

        public List<String> classNames() { return classNames; }

        /** Training history: one map per record (epoch/step, losses, time, ...). */
        public List<Map<String, Object>> history() { return history; }

        public Map<String, Object> metadata() { return metadata; }

        /** ISO-8601 creation time. */
        public String created() { return created; }

        /** Builder. */
        public static final class Builder {
            private final Map<String, NetworkSpec> networks = new LinkedHashMap<>();
            private List<Integer> inputShape = List.of();
            private Map<String, Object> normalisation = Map.of();
            private List<String> classNames = List.of();
            private final List<Map<String, Object>> history = new ArrayList<>();
            private final Map<String, Object> metadata = new LinkedHashMap<>();
            private String created = Instant.now().toString();

            public Builder network(String role, NetworkSpec spec) { networks.put(role, spec); return this; }
            public Builder inputShape(int... shape) { inputShape = Arrays.stream(shape).boxed().toList(); return this; }
            public Builder inputShape(List<Integer> shape) { inputShape = List.copyOf(shape); return this; }
            public Builder normalisation(Map<String, Object> n) { normalisation = n; return this; }
            public Builder classNames(List<String> names) { classNames = names; return this; }
            public Builder history(List<Map<String, Object>> h) { history.clear(); history.addAll(h); return this; }
            public Builder addHistory(Map<String, Object> record) { history.add(record); return this; }
            public Builder metadata(String key, Object value) { metadata.put(key, value); return this; }
            Builder created(String c) { created = c; return this; }
            public Manifest build() { return new Manifest(this); }
        }
    }

    /** A loaded model: manifest and a sealed store with its arrays. */
    public static final class Loaded {
        private final Manifest manifest;
        private final ParamStore store;
        private final Map<String, Map<String, Object>> optimizers;
        private final Map<String, INDArray> optimizerArrays;
        private final Path file;

        Loaded(Path file, Manifest manifest, ParamStore store, Map<String, Map<String, Object>> optimizers, Map<String, INDArray> optimizerArrays) {
            this.file = file;
            this.manifest = manifest;
            this.store = store;
            this.optimizers = optimizers;
            this.optimizerArrays = optimizerArrays;
        }

        public Manifest manifest() { return manifest; }

        /** Sealed: building a network that needs an array the file lacks fails instead of initialising it randomly. */
        public ParamStore store() { return store; }

        /**
         * Builds a graph over {@link #store()} and checks that it matches the file: every array the
         * graph needs exists (no random initialisation), and every array of the given groups in the file
         * is used. Mismatches become a {@link UserInputException}.
         *
         * <pre>{@code
         * ModelArchive.Loaded m = ModelArchive.load(path);
         * UNet unet = (UNet) m.manifest().network("generator");
         * NetBuilder b = NetBuilder.forInference(m.store());
         * Tensor y = m.build(b, () -> unet.apply(b.network("G"), b.input("x", 1, 256, 256)), "G");
         * }</pre>
         */
        public <T> T build(NetBuilder graph, Supplier<T> build, String... groups) {
            T result;
            try {
                result = build.get();
            } catch (ParamStore.ParameterMismatchException e) {
                throw new UserInputException(file.getFileName() + " does not match the network it describes: " + e.getMessage()
                        + ". The file may come from another MedSynth version; re-train or re-export the model.");
            }
            for (String g : groups) {
                for (ParamStore.Param p : store.group(g)) {
                    if (p.role() != ParamStore.Role.DERIVED && !graph.sd().hasVariable(p.name())) {
                        throw new UserInputException(file.getFileName() + " contains " + p.name() + ", which the network "
                                + "does not use: the file does not match its own description. Re-train or re-export the model.");
                    }
                }
            }
            return result;
        }

        /** True if the file holds optimiser state of any group (checkpoints do; finished models need not). */
        public boolean hasOptimizerState() {
            return !optimizers.isEmpty();
        }

        /** True if the file holds Adam state for the group. */
        public boolean hasOptimizer(String group) {
            return optimizers.containsKey(group);
        }

        /** Restores the Adam moments and step count of a group (checkpoint resume). */
        public void restoreOptimizer(String group, Adam adam) {
            Map<String, Object> o = optimizers.get(group);
            if (o == null) throw new UserInputException("the model file has no optimiser state for " + group);
            Map<String, INDArray> m = new LinkedHashMap<>();
            Map<String, INDArray> v = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            List<String> names = (List<String>) o.get("params");
            for (int i = 0; i < names.size(); i++) {
                m.put(names.get(i), optimizerArrays.get(optimEntry(group, i, "m")));
                v.put(names.get(i), optimizerArrays.get(optimEntry(group, i, "v")));
            }
            adam.restore(((Number) o.get("steps")).longValue(), m, v);
            adam.setLearningRate(((Number) o.get("learningRate")).doubleValue());
        }
    }

    /** Writes a model: the given groups of {@code store} (all groups if none given), optionally Adam states. Replaces an existing file. */
    public static void save(Path file, Manifest manifest, ParamStore store, Map<String, Adam> optimizers, String... groups) throws IOException {
        save(file, manifest, store, optimizers, true, groups);
    }

    /**
     * As {@link #save}, but only if {@code file} does not exist (create-or-fail, also against a second run
     * writing at the same moment).
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists; it is left untouched
     */
    public static void saveNew(Path file, Manifest manifest, ParamStore store, Map<String, Adam> optimizers, String... groups) throws IOException {
        save(file, manifest, store, optimizers, false, groups);
    }

    private static void save(Path file, Manifest manifest, ParamStore store, Map<String, Adam> optimizers, boolean replace,
                             String... groups) throws IOException {
        Set<String> wanted = new LinkedHashSet<>(List.of(groups));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        List<Map<String, Object>> params = new ArrayList<>();
        int i = 0;
        for (ParamStore.Param p : store.all()) {
            if (p.role() == ParamStore.Role.DERIVED) continue;
            if (!wanted.isEmpty() && !wanted.contains(p.group())) continue;
            String entry = "params/" + (i++) + ".npy";
            entries.put(entry, Nd4j.toNpyByteArray(p.value().dup('c')));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", p.name());
            d.put("group", p.group());
            d.put("role", p.role().name());
            d.put("shape", Arrays.stream(p.value().shape()).boxed().toList());
            d.put("dtype", p.value().dataType().name());
            d.put("entry", entry);
            params.add(d);
        }
        if (params.isEmpty()) throw new IllegalArgumentException("nothing to save: no arrays in groups " + wanted);
        Map<String, Object> optim = new LinkedHashMap<>();
        if (optimizers != null) {
            for (Map.Entry<String, Adam> e : optimizers.entrySet()) {
                Adam adam = e.getValue();
                List<String> names = new ArrayList<>(adam.parameters());
                Collections.sort(names);
                for (int k = 0; k < names.size(); k++) {
                    entries.put(optimEntry(e.getKey(), k, "m"), Nd4j.toNpyByteArray(adam.firstMoment(names.get(k)).dup('c')));
                    entries.put(optimEntry(e.getKey(), k, "v"), Nd4j.toNpyByteArray(adam.secondMoment(names.get(k)).dup('c')));
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("learningRate", adam.learningRate());
                o.put("beta1", adam.beta1());
                o.put("beta2", adam.beta2());
                o.put("eps", adam.eps());
                o.put("steps", adam.steps());
                o.put("params", names);
                optim.put(e.getKey(), o);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("created", manifest.created());
        Map<String, Object> nets = new LinkedHashMap<>();
        manifest.networks().forEach((role, spec) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("kind", spec.kind());
            n.put("hyperParameters", spec.toMap());
            nets.put(role, n);
        });
        m.put("networks", nets);
        m.put("inputShape", manifest.inputShape());
        m.put("normalisation", manifest.normalisation());
        m.put("classNames", manifest.classNames());
        m.put("history", manifest.history());
        m.put("metadata", manifest.metadata());
        m.put("seed", store.seed());
        m.put("dataType", store.dataType().name());
        m.put("params", params);
        m.put("optimizers", optim);
        byte[] manifestBytes = JSON.writeValueAsBytes(m);
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(MANIFEST, manifestBytes);
        all.putAll(entries);
        StringBuilder sums = new StringBuilder();
        for (Map.Entry<String, byte[]> e : all.entrySet()) sums.append(sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
        all.put(SUMS, sums.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.Writer writer = out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, byte[]> e : all.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        };
        if (replace) AtomicFiles.write(file, writer);
        else AtomicFiles.create(file, writer);
    }

    static String optimEntry(String group, int index, String moment) {
        return "optim/" + group + "/" + index + "_" + moment + ".npy";
    }

    /** Reads and checks a model file. */
    public static Loaded load(Path file) {
        String fname = file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new UserInputException("model file " + file + " not found; choose an existing .zip model written by MedSynth");
        }
        notAZip(file, fname);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        long budget = memoryBudget();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var en = zip.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory()) continue;
                if (entries.containsKey(e.getName())) throw damaged(fname, "entry " + e.getName() + " occurs twice");
                if (e.getSize() > budget) throw tooLarge(fname, e.getSize());
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] data = readAtMost(in, Math.min(budget, Integer.MAX_VALUE - 16));
                    if (data == null) throw tooLarge(fname, budget + 1);
                    budget -= data.length;
                    entries.put(e.getName(), data);
                }
            }
        } catch (ZipException e) {
            throw damaged(fname, "not a readable zip archive (" + e.getMessage() + ")");
        } catch (NoSuchFileException e) {
            throw new UserInputException("model file " + file + " not found");
        } catch (IOException e) {
            throw damaged(fname, "reading failed (" + e.getMessage() + ")");
        }
        byte[] sums = entries.get(SUMS);
        if (sums == null || !entries.containsKey(MANIFEST)) {
            throw new UserInputException(fname + " is not a MedSynth model (no " + (sums == null ? SUMS : MANIFEST)
                    + " inside); choose a model written by MedSynth");
        }
        Set<String> listed = new HashSet<>();
        for (String line : new String(sums, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) continue;
            int sp = line.indexOf("  ");
            if (sp < 0) throw damaged(fname, "malformed checksum list");
            String hash = line.substring(0, sp);
            String name = line.substring(sp + 2);
            byte[] data = entries.get(name);
            if (data == null) throw damaged(fname, "entry " + name + " is missing");
            if (!hash.equals(sha256(data))) throw damaged(fname, "checksum mismatch in " + name);
            listed.add(name);
        }
        for (String name : entries.keySet()) {
            if (!name.equals(SUMS) && !listed.contains(name)) throw damaged(fname, "unexpected entry " + name);
        }
        Map<String, Object> m;
        try {
            m = JSON.readValue(entries.get(MANIFEST), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw damaged(fname, "the manifest is not valid JSON");
        }
        if (!FORMAT.equals(m.get("format"))) {
            throw new UserInputException(fname + " is not a MedSynth model (format '" + m.get("format") + "'); choose a model written by MedSynth");
        }
        Object ver = m.get("version");
        if (!(ver instanceof Number) || ((Number) ver).intValue() < 1) throw damaged(fname, "invalid format version " + ver);
        int version = ((Number) ver).intValue();
        if (version > VERSION) {
            throw new UserInputException(fname + " was written by a newer MedSynth (model format " + version + "; this version reads format "
                    + VERSION + "). Update MedSynth to use this model.");
        }
        try {
            return parse(file, fname, m, entries);
        } catch (UserInputException e) {
            throw e;
        } catch (RuntimeException e) {
            // ClassCastException, NullPointerException, IllegalArgumentException, ...: a manifest this version cannot read
            throw damaged(fname, "the manifest is incomplete or invalid (" + e.getMessage() + ")");
        }
    }

    @SuppressWarnings("unchecked")
    private static Loaded parse(Path file, String fname, Map<String, Object> m, Map<String, byte[]> entries) {
        Manifest.Builder mb = Manifest.builder();
        Map<String, Object> nets = (Map<String, Object>) m.get("networks");
        for (Map.Entry<String, Object> e : nets.entrySet()) {
            Map<String, Object> n = (Map<String, Object>) e.getValue();
            String kind = (String) n.get("kind");
            try {
                mb.network(e.getKey(), Networks.fromMap(kind, (Map<String, Object>) n.get("hyperParameters")));
            } catch (IllegalArgumentException ex) {
                throw new UserInputException(fname + ": the " + e.getKey() + " network cannot be rebuilt: " + ex.getMessage()
                        + ". The model may need a newer MedSynth.");
            }
        }
        mb.inputShape(((List<Number>) m.get("inputShape")).stream().map(Number::intValue).toList());
        mb.normalisation((Map<String, Object>) m.get("normalisation"));
        mb.classNames((List<String>) m.get("classNames"));
        mb.history((List<Map<String, Object>>) m.get("history"));
        ((Map<String, Object>) m.get("metadata")).forEach(mb::metadata);
        mb.created((String) m.get("created"));
        DataType dt = DataType.valueOf((String) m.get("dataType"));
        ParamStore store = new ParamStore(((Number) m.get("seed")).longValue(), dt);
        for (Map<String, Object> p : (List<Map<String, Object>>) m.get("params")) {
            String name = (String) p.get("name");
            long[] shape = ((List<Number>) p.get("shape")).stream().mapToLong(Number::longValue).toArray();
            String entry = (String) p.get("entry");
            Npy.Header h = npyHeader(fname, entries, entry);
            if (!Arrays.equals(shape, h.shape())) {
                throw damaged(fname, "array " + name + " has shape " + Arrays.toString(h.shape()) + " in " + entry
                        + " but the manifest says " + Arrays.toString(shape));
            }
            INDArray arr = readNpy(fname, entries, entry);
            if (!Arrays.equals(shape, arr.shape()) || !arr.dataType().name().equals(p.get("dtype"))) {
                throw damaged(fname, "array " + name + " has shape " + Arrays.toString(arr.shape()) + " " + arr.dataType()
                        + " but the manifest says " + Arrays.toString(shape) + " " + p.get("dtype"));
            }
            store.put(name, (String) p.get("group"), ParamStore.Role.valueOf((String) p.get("role")), arr);
        }
        store.seal();
        Map<String, Map<String, Object>> optim = (Map<String, Map<String, Object>>) m.getOrDefault("optimizers", Map.of());
        Map<String, INDArray> optimArrays = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : optim.entrySet()) {
            int n = ((List<String>) e.getValue().get("params")).size();
            for (int i = 0; i < n; i++) {
                for (String mom : new String[]{"m", "v"}) {
                    String entry = optimEntry(e.getKey(), i, mom);
                    npyHeader(fname, entries, entry);
                    optimArrays.put(entry, readNpy(fname, entries, entry));
                }
            }
        }
        return new Loaded(file, mb.build(), store, optim, optimArrays);
    }

    /**
     * The header of a .npy entry, checked against the entry's own size before anything is allocated: an
     * array that declares more values than its bytes hold (a damaged or forged file) is refused here
     * instead of asking ND4J for gigabytes.
     */
    private static Npy.Header npyHeader(String fname, Map<String, byte[]> entries, String entry) {
        byte[] b = entries.get(entry);
        if (b == null) throw damaged(fname, "entry " + entry + " is missing");
        Npy.Header h;
        try {
            h = Npy.header(b);
        } catch (RuntimeException e) {
            throw damaged(fname, "entry " + entry + " is not a valid array (" + e.getMessage() + ")");
        }
        long have = b.length - h.dataOffset();
        if (h.bytes() != have) {
            throw damaged(fname, "entry " + entry + " declares an array of shape " + Arrays.toString(h.shape()) + " (" + h.bytes()
                    + " bytes) but holds " + have + " bytes");
        }
        return h;
    }

    /** For tests: a fixed memory budget in bytes instead of a third of the free heap (-1 = off). */
    static volatile long budgetForTests = -1;

    /** Bytes the arrays of one model may take in memory: a third of what the JVM may still use. */
    private static long memoryBudget() {
        if (budgetForTests >= 0) return budgetForTests;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return Math.max(64L << 20, free / 3);
    }

    private static UserInputException tooLarge(String fname, long bytes) {
        return new UserInputException(fname + " unpacks to more than " + (bytes >> 20) + " MB, more than the memory ImageJ has left ("
                + (memoryBudget() >> 20) + " MB for a model). If it is a model of that size, give ImageJ more memory (Edit>Options>Memory); "
                + "otherwise the file is damaged: copy it again.");
    }

    /** Reads the stream fully, or returns null if it holds more than {@code limit} bytes. */
    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > limit) return null;
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Refuses a file that is no zip archive at all, saying what it looks like. */
    private static void notAZip(Path file, String fname) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        } catch (IOException e) {
            throw new UserInputException("Cannot read the model file " + file + ": " + e.getMessage() + ". Check that it is readable.");
        }
        if (head.length == 0) {
            throw new UserInputException(fname + " is empty (0 bytes): the copy or download of the model did not finish. Copy it again.");
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) return;
        throw new UserInputException(fname + " is not a MedSynth model: it is not a zip archive" + looksLike(head)
                + ". Choose the .zip model file that a MedSynth training command wrote.");
    }

    private static String looksLike(byte[] h) {
        int n = h.length;
        if (n >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) return " (it is gzip-compressed, like a .nii.gz image)";
        if (n >= 4 && (h[0] == 'I' && h[1] == 'I' && h[2] == 42 || h[0] == 'M' && h[1] == 'M' && h[3] == 42)) return " (it looks like a TIFF image)";
        if (n >= 4 && (h[0] & 0xff) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') return " (it looks like a PNG image)";
        if (n >= 4 && (h[0] & 0xff) == 0x5c && h[1] == 1 && h[2] == 0 && h[3] == 0
                || n >= 4 && h[0] == 0 && h[1] == 0 && h[2] == 1 && (h[3] & 0xff) == 0x5c) return " (it looks like a NIfTI image)";
        if (n >= 1 && (h[0] == '{' || h[0] == '<' || h[0] == '#')) return " (it looks like a text file)";
        return "";
    }

    /**
     * The array of a .npy entry, decoded here from the checked header ({@link #npyHeader}) rather than by
     * ND4J's native .npy parser, which aborts the whole JVM on some damaged headers.
     */
    private static INDArray readNpy(String fname, Map<String, byte[]> entries, String entry) {
        Npy.Header h = npyHeader(fname, entries, entry);
        byte[] b = entries.get(entry);
        if (h.fortranOrder()) throw damaged(fname, "entry " + entry + " is stored in Fortran order, which MedSynth never writes");
        try {
            return Npy.toArray(h, b);
        } catch (IllegalArgumentException e) {
            throw damaged(fname, "entry " + entry + " is not a valid array (" + e.getMessage() + ")");
        }
    }

    private static UserInputException damaged(String fname, String what) {
        return new UserInputException(fname + " is damaged or incomplete: " + what
                + ". Copy the model file again or re-export it from the training run.");
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

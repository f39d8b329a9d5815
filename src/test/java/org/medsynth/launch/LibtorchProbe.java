package org.medsynth.launch;

/**
 * For InstallLayoutsIT, in a java process of its own: takes the engine loader of an installed MedSynth (found from
 * {@code plugins/MedSynth_.jar} on the class path, as in ImageJ) and runs one ND4J and one libtorch operation in
 * it, or prints {@code NO LIBTORCH} when the install has none.
 * <pre>java -cp "target/test-classes:FIJI/plugins/MedSynth_.jar:FIJI/jars/*" org.medsynth.launch.LibtorchProbe</pre>
 */
public final class LibtorchProbe {

    private LibtorchProbe() { }

    public static void main(String[] args) throws Exception {
        ClassLoader engine = MedSynthPlugin.engineLoader();
        Thread.currentThread().setContextClassLoader(engine);   // ND4J finds its backend with ServiceLoader
        Class<?> nd4j = Class.forName("org.nd4j.linalg.factory.Nd4j", true, engine);
        Object array = nd4j.getMethod("ones", long[].class).invoke(null, (Object) new long[] {2, 3});
        System.out.println("ND4J sum=" + array.getClass().getMethod("sumNumber").invoke(array));
        Class<?> torch;
        try {
            torch = Class.forName("org.bytedeco.pytorch.global.torch", true, engine);
        } catch (ClassNotFoundException e) {
            System.out.println("NO LIBTORCH");
            return;
        }
        Object ones = torch.getMethod("ones", long[].class).invoke(null, (Object) new long[] {2, 3});
        Object sum = ones.getClass().getMethod("sum").invoke(ones);
        Class<?> javacpp = Class.forName("org.bytedeco.javacpp.Loader", false, torch.getClassLoader());
        System.out.println("LIBTORCH sum=" + sum.getClass().getMethod("item_float").invoke(sum)
                + " loader=" + torch.getClassLoader().getClass().getSimpleName()
                + " jar=" + torch.getProtectionDomain().getCodeSource().getLocation().getPath()
                + " javacpp=" + javacpp.getProtectionDomain().getCodeSource().getLocation().getPath());
    }
}

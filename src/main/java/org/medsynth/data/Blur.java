package org.medsynth.data;

/**
 * A small separable Gaussian blur for the phantom generators. ImageJ's GaussianBlur is not used
 * because it starts non-daemon pool threads for large images, which keep a plain {@code java}
 * process from exiting; this one is single-threaded and exactly reproducible.
 */
final class Blur {

    private Blur() { }

    /** Blurs a row-major {@code width x height} image in place; edges are continued by clamping. */
    static void gaussian(float[] data, int width, int height, double sigma) {
        if (sigma <= 0) return;
        int r = Math.max(1, (int) Math.ceil(3 * sigma));
        float[] k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = (float) StrictMath.exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= (float) sum;
        float[] line = new float[Math.max(width, height)];
        for (int y = 0; y < height; y++) {
            int off = y * width;
            System.arraycopy(data, off, line, 0, width);
            for (int x = 0; x < width; x++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) acc += k[i + r] * line[Math.min(width - 1, Math.max(0, x + i))];
                data[off + x] = acc;
            }
        }
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) line[y] = data[y * width + x];
            for (int y = 0; y < height; y++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) acc += k[i + r] * line[Math.min(height - 1, Math.max(0, y + i))];
                data[y * width + x] = acc;
            }
        }
    }
}

package org.medsynth.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Random patches of a fixed size from {@link LabeledImage}s, with foreground oversampling: a
 * configurable share of the patches is placed so that it contains a voxel of the image's rarest
 * label (picked uniformly among that label's voxels, at a uniformly random position inside the
 * patch); the others are placed uniformly at random. A 2D patch size ({@code {w, h}}) takes a patch
 * from one random slice; a 3D size ({@code {w, h, d}}) a block. Where the patch is larger than the
 * image, the image lies at a random offset inside it and the rest is {@code padValue} (image) and
 * 0 (labels). Seeded: the same seed and calls give the same patches.
 */
public final class PatchSampler {

    private final int pw, ph, pd;
    private final double rareShare;
    private final float padValue;
    private final Random random;

    /**
     * @param patchSize {w, h} or {w, h, d}
     * @param rareShare 0..1: share of patches that must contain the rarest label (nnU-Net uses 0.33)
     */
    public PatchSampler(int[] patchSize, double rareShare, float padValue, long seed) {
        if (patchSize.length != 2 && patchSize.length != 3) throw new IllegalArgumentException("patch size must be {w,h} or {w,h,d}");
        for (int s : patchSize) if (s < 1) throw new IllegalArgumentException("patch size must be positive");
        if (!(rareShare >= 0 && rareShare <= 1)) throw new IllegalArgumentException("rareShare must be in 0..1: " + rareShare);
        this.pw = patchSize[0];
        this.ph = patchSize[1];
        this.pd = patchSize.length == 3 ? patchSize[2] : 1;
        this.rareShare = rareShare;
        this.padValue = padValue;
        this.random = new Random(seed);
    }

    /** One patch; it contains the rarest label with probability {@code rareShare} (or by chance). */
    public Patch sample(LabeledImage img) {
        return sample(img, random.nextDouble() < rareShare);
    }

    /**
     * {@code n} patches in random order, of which {@code round(rareShare * n)} are guaranteed to
     * contain the rarest label (when the image has more than one label).
     */
    public List<Patch> sample(LabeledImage img, int n) {
        int forced = (int) Math.round(rareShare * n);
        List<Patch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(sample(img, i < forced));
        Collections.shuffle(out, random);
        return out;
    }

    private Patch sample(LabeledImage img, boolean wantRare) {
        int w = img.width(), h = img.height(), d = img.depth();
        int rare = img.rarestLabel();
        int x0, y0, z0;
        if (wantRare && rare >= 0) {
            int[] voxels = img.rarestVoxels();
            int v = voxels[random.nextInt(voxels.length)];
            int cx = v % w, cy = (v / w) % h, cz = v / (w * h);
            x0 = originAround(cx, pw, w);
            y0 = originAround(cy, ph, h);
            z0 = originAround(cz, pd, d);
        } else {
            x0 = randomOrigin(pw, w);
            y0 = randomOrigin(ph, h);
            z0 = randomOrigin(pd, d);
        }
        return extract(img, x0, y0, z0, rare);
    }

    /** Origins keep the patch inside the image, or the image inside the patch where it is larger. */
    private int randomOrigin(int p, int size) {
        int lo = Math.min(0, size - p), hi = Math.max(0, size - p);
        return lo + random.nextInt(hi - lo + 1);
    }

    /** A valid origin such that position c lies inside the patch. */
    private int originAround(int c, int p, int size) {
        int lo = Math.max(Math.min(0, size - p), c - p + 1);
        int hi = Math.min(Math.max(0, size - p), c);
        return lo + random.nextInt(hi - lo + 1);
    }

    private Patch extract(LabeledImage img, int x0, int y0, int z0, int rare) {
        int w = img.width(), h = img.height(), d = img.depth();
        int n = pw * ph * pd;
        float[][] ch = new float[img.channelCount()][n];
        int[] lab = new int[n];
        boolean hasRare = false;
        for (float[] c : ch) java.util.Arrays.fill(c, padValue);
        int[] src = img.labels();
        for (int z = 0; z < pd; z++) {
            int sz = z0 + z;
            if (sz < 0 || sz >= d) continue;
            for (int y = 0; y < ph; y++) {
                int sy = y0 + y;
                if (sy < 0 || sy >= h) continue;
                int xa = Math.max(0, -x0), xb = Math.min(pw, w - x0); // patch x range inside the image
                if (xb <= xa) continue;
                int s = (x0 + xa) + w * (sy + h * sz), t = xa + pw * (y + ph * z), len = xb - xa;
                for (int c = 0; c < ch.length; c++) System.arraycopy(img.channel(c), s, ch[c], t, len);
                System.arraycopy(src, s, lab, t, len);
                if (!hasRare && rare >= 0) for (int k = 0; k < len; k++) if (src[s + k] == rare) { hasRare = true; break; }
            }
        }
        return new Patch(ch, lab, pw, ph, pd, x0, y0, z0, hasRare);
    }
}

"""Reference values for SlicedWassersteinTest: an independent numpy port of the sliced Wasserstein
distance of PGGAN's metrics/sliced_wasserstein.py (Laplacian pyramid with the 5x5 binomial kernel
and scipy 'mirror' borders, 128 random 7x7 descriptors per image and level, per-channel
normalisation over the set, 4 x 128 random unit directions, sorted projections), with two
changes that the Java class documents: random numbers come from java.util.Random (java_random.py)
so that both sides draw the same ones, and sets of different sizes use the exact 1-D
Wasserstein-1 distance between the empirical distributions.

Run: /usr/bin/python3 src/test/python/swd_reference.py
"""
import os

import numpy as np
import scipy.ndimage

from java_random import JavaRandom

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "org", "medsynth", "metrics", "swd_reference.txt")
K1 = np.array([1, 4, 6, 4, 1], dtype=np.float64) / 16.0
K2 = np.outer(K1, K1)
NH, NPI, REPEATS, DIRS = 7, 128, 4, 128


def make_set(n, c, w, h, seed, pattern):
    """Images with integer values 0..255: a pattern plus java.util.Random noise (same as the Java test)."""
    rnd = JavaRandom(seed)
    imgs = []
    for k in range(n):
        img = np.zeros((c, h, w))
        for ch in range(c):
            for y in range(h):
                for x in range(w):
                    img[ch, y, x] = (x * 3 + y * pattern + 17 * k + 40 * ch) % 200 + rnd.next_int(56)
        imgs.append(img)
    return imgs


def pyr_down(p):
    return scipy.ndimage.convolve(p, K2, mode="mirror")[::2, ::2]


def pyr_up(p):
    up = np.zeros((p.shape[0] * 2, p.shape[1] * 2))
    up[::2, ::2] = p
    return scipy.ndimage.convolve(up, K2 * 4.0, mode="mirror")


def laplacian(plane, levels):
    pyr = [plane.astype(np.float64)]
    for _ in range(1, levels):
        pyr.append(pyr_down(pyr[-1]))
        pyr[-2] = pyr[-2] - pyr_up(pyr[-1])
    return pyr


def descriptors(level, rnd):  # level: (c, h, w)
    c, h, w = level.shape
    r = NH // 2
    xs = [r + rnd.next_int(w - 2 * r) for _ in range(NPI)]
    ys = [r + rnd.next_int(h - 2 * r) for _ in range(NPI)]
    out = np.zeros((NPI, c, NH, NH))
    for n in range(NPI):
        for i in range(NH):
            for j in range(NH):
                # component (channel, i = x offset, j = y offset), as PGGAN's ogrid indexing
                out[n, :, i, j] = level[:, ys[n] + j - r, xs[n] + i - r]
    return out


def normalise(desc):
    desc = desc - desc.mean(axis=(0, 2, 3), keepdims=True)
    sd = desc.std(axis=(0, 2, 3), keepdims=True)
    sd[sd == 0] = 1
    return (desc / sd).reshape(desc.shape[0], -1)


def w1(a, b):
    if len(a) == len(b):
        return np.mean(np.abs(a - b))
    # exact integral of |Q_a(t) - Q_b(t)| over [0, 1]
    ts = np.union1d(np.arange(1, len(a) + 1) / len(a), np.arange(1, len(b) + 1) / len(b))
    prev, s = 0.0, 0.0
    for t in ts:
        mid = (prev + t) / 2
        s += (t - prev) * abs(a[int(mid * len(a))] - b[int(mid * len(b))])
        prev = t
    return s


def sliced(a, b, rnd):
    res = []
    for _ in range(REPEATS):
        d = a.shape[1]
        dirs = np.array([[rnd.next_gaussian() for _ in range(DIRS)] for _ in range(d)])
        dirs /= np.sqrt((dirs ** 2).sum(axis=0, keepdims=True))
        pa, pb = np.sort(a @ dirs, axis=0), np.sort(b @ dirs, axis=0)
        res.append(np.mean([w1(pa[:, k], pb[:, k]) for k in range(DIRS)]))
    return np.mean(res)


def swd(real, fake, seed):
    c, h, w = real[0].shape
    levels, res = 0, min(h, w)
    while res >= 16:
        levels += 1
        res //= 2
    f = 1 << (levels - 1)
    ch, cw = h - h % f, w - w % f
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    sets = []
    for imgs in (real, fake):
        rnd = JavaRandom(seed)
        per_level = [[] for _ in range(levels)]
        for img in imgs:
            img = img[:, y0:y0 + ch, x0:x0 + cw]
            pyrs = [laplacian(img[k], levels) for k in range(c)]
            for l in range(levels):
                per_level[l].append(descriptors(np.stack([p[l] for p in pyrs]), rnd))
        sets.append([normalise(np.concatenate(d)) for d in per_level])
    rnd = JavaRandom(seed + 1)
    dist = [sliced(sets[0][l], sets[1][l], rnd) for l in range(levels)]
    return dist + [float(np.mean(dist))]


CASES = [
    # name, channels, width, height, n_real, n_fake, real_seed, fake_seed, real_pattern, fake_pattern, swd_seed
    ("grey64", 1, 64, 64, 4, 4, 11, 12, 2, 5, 7),
    ("rgb50x37_unequal", 3, 50, 37, 3, 2, 21, 22, 2, 2, 3),
]


def main():
    lines = ["# name channels width height nReal nFake realSeed fakeSeed realPattern fakePattern swdSeed : "
             "per-level distances (raw, finest first) then mean"]
    for case in CASES:
        name, c, w, h, nr, nf, rs, fs, rp, fp, seed = case
        real = make_set(nr, c, w, h, rs, rp)
        fake = make_set(nf, c, w, h, fs, fp)
        d = swd(real, fake, seed)
        lines.append(" ".join(str(v) for v in case) + " : " + " ".join("%.10g" % v for v in d))
        print(lines[-1])
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


main()

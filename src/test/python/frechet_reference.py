"""Reference values for FrechetDistanceTest and KernelInceptionDistanceTest.

FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr(sqrtm(S1 S2)) with scipy.linalg.sqrtm, on known
Gaussians (random SPD matrices, one of them singular) and on Gaussians fitted (np.cov, ddof=1)
to random feature vectors; KID = unbiased MMD^2 with the kernel (x.y/d + 1)^3 over the whole sets
(one subset of the full size, so no sampling is involved).

Run: /usr/bin/python3 src/test/python/frechet_reference.py
"""
import os

import numpy as np
import scipy.linalg

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "org", "medsynth", "metrics", "frechet_reference.txt")
rng = np.random.RandomState(77)


def fid(mu1, s1, mu2, s2):
    covmean = scipy.linalg.sqrtm(s1.dot(s2))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean).real)


def fmt(a):
    return " ".join("%.17g" % v for v in np.ravel(a))


def kid(x, y):
    d = x.shape[1]
    k = lambda a, b: (a.dot(b.T) / d + 1) ** 3
    m, n = len(x), len(y)
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.sum() / (m * n))


def main():
    lines = ["# gaussian d: mu1 / S1 / mu2 / S2 / fid(scipy sqrtm) ; features n1 n2 d: rows of set 1, rows of set 2, fid, kid"]
    for d, singular in [(4, False), (5, True)]:
        mu1, mu2 = rng.normal(0, 1, d), rng.normal(0.5, 1, d)
        a = rng.normal(0, 1, (d, d))
        s1 = a.dot(a.T) + 0.1 * np.eye(d)
        b = rng.normal(0, 1, (d, d - 2 if singular else d))
        s2 = b.dot(b.T) + (0 if singular else 0.1) * np.eye(d)
        lines += ["gaussian %d" % d, fmt(mu1), fmt(s1), fmt(mu2), fmt(s2), "%.17g" % fid(mu1, s1, mu2, s2)]
    n1, n2, d = 14, 10, 6
    x = rng.normal(0, 1, (n1, d)).astype(np.float32).astype(np.float64)
    y = (rng.normal(0.3, 1.2, (n2, d))).astype(np.float32).astype(np.float64)
    f = fid(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    lines += ["features %d %d %d" % (n1, n2, d)] + [fmt(r) for r in x] + [fmt(r) for r in y]
    lines += ["%.17g %.17g" % (f, kid(x, y))]
    with open(OUT, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(l for l in lines if len(l) < 60))


main()

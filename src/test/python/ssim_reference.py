"""Test images and reference values for StructuralSimilarityTest.

Writes 8-bit crops of scikit-image's 'camera' (grey) and 'astronaut' (RGB) sample images and
distorted versions of them (Gaussian noise, Gaussian blur) as PNG files, then
- SSIM from skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False, data_range=255), the reference for single-scale SSIM;
- MS-SSIM from a numpy implementation of tf.image.ssim_multiscale's algorithm (valid 11x11
  Gaussian window, sigma 1.5, K1 0.01, K2 0.03, weights 0.0448 0.2856 0.3001 0.2363 0.1333,
  per-channel, negative values clipped, symmetric padding of odd sizes before 2x2 average
  pooling), cross-checked on even sizes against a second implementation in PyTorch following
  pytorch_msssim (conv2d with a separable Gaussian, avg_pool2d).

Run: /usr/bin/python3 src/test/python/ssim_reference.py
"""
import os

import numpy as np
import scipy.ndimage
import scipy.signal
import torch
import torch.nn.functional as F
from PIL import Image
from skimage import data
from skimage.metrics import structural_similarity

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "org", "medsynth", "metrics", "ssim")
WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def window():
    x = np.arange(11) - 5
    g = np.exp(-(x ** 2) / (2 * 1.5 ** 2))
    g2 = np.outer(g, g)
    return g2 / g2.sum()


def ssim_cs(a, b, L=255.0):
    w = window()
    f = lambda z: scipy.signal.correlate2d(z, w, mode="valid")
    mu1, mu2 = f(a), f(b)
    s11, s22, s12 = f(a * a) - mu1 ** 2, f(b * b) - mu2 ** 2, f(a * b) - mu1 * mu2
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    cs = (2 * s12 + c2) / (s11 + s22 + c2)
    ssim = (2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1) * cs
    return ssim.mean(), cs.mean()


def down(x):
    h, w = x.shape
    x = np.pad(x, ((0, h % 2), (0, w % 2)), mode="symmetric")
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def ms_ssim_channel(a, b):
    vals = []
    for s in range(5):
        ssim, cs = ssim_cs(a, b)
        vals.append(max(ssim if s == 4 else cs, 0.0))
        a, b = down(a), down(b)
    return float(np.prod(np.array(vals) ** WEIGHTS))


def ms_ssim(a, b):  # HxW or HxWxC arrays
    a, b = a.astype(np.float64), b.astype(np.float64)
    if a.ndim == 2:
        return ms_ssim_channel(a, b)
    return float(np.mean([ms_ssim_channel(a[..., c], b[..., c]) for c in range(a.shape[2])]))


def ms_ssim_torch(a, b):  # second implementation, even sizes only
    def t(z):
        z = torch.tensor(z.astype(np.float64))
        return z[None, None] if z.ndim == 2 else z.permute(2, 0, 1)[None]
    x, y = t(a), t(b)
    c = x.shape[1]
    g = torch.exp(-(torch.arange(11, dtype=torch.float64) - 5) ** 2 / (2 * 1.5 ** 2))
    g = g / g.sum()
    gh, gv = g.view(1, 1, 1, 11).repeat(c, 1, 1, 1), g.view(1, 1, 11, 1).repeat(c, 1, 1, 1)
    filt = lambda z: F.conv2d(F.conv2d(z, gh, groups=c), gv, groups=c)
    vals = []
    for s in range(5):
        mu1, mu2 = filt(x), filt(y)
        s11, s22, s12 = filt(x * x) - mu1 ** 2, filt(y * y) - mu2 ** 2, filt(x * y) - mu1 * mu2
        c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
        cs = (2 * s12 + c2) / (s11 + s22 + c2)
        ss = (2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1) * cs
        vals.append(torch.relu((ss if s == 4 else cs).mean(dim=(2, 3))))
        x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    v = torch.stack(vals, 0)  # scales x 1 x c
    w = torch.tensor(WEIGHTS).view(-1, 1, 1)
    return float(torch.prod(v ** w, dim=0).mean())


def save(name, arr):
    Image.fromarray(arr.astype(np.uint8)).save(os.path.join(OUT, name))


def noisy(img, sigma, seed):
    rng = np.random.RandomState(seed)
    return np.clip(np.round(img + rng.normal(0, sigma, img.shape)), 0, 255).astype(np.uint8)


def blurred(img, sigma):
    s = (sigma, sigma, 0) if img.ndim == 3 else sigma
    return np.clip(np.round(scipy.ndimage.gaussian_filter(img.astype(np.float64), s)), 0, 255).astype(np.uint8)


def main():
    os.makedirs(OUT, exist_ok=True)
    camera = data.camera()[100:276, 180:356]          # 176 x 176 grey
    camera_odd = data.camera()[200:371, 40:205]        # 171 x 165 grey (odd sizes)
    astro = data.astronaut()[30:206, 150:326]          # 176 x 176 RGB
    images = {"camera.png": camera, "camera_odd.png": camera_odd, "astronaut.png": astro}
    pairs = []
    for base, img in [("camera", camera), ("astronaut", astro), ("camera_odd", camera_odd)]:
        for kind, arg in ([("noise", 5), ("noise", 15), ("noise", 40), ("blur", 1), ("blur", 2)] if base == "camera"
                          else [("noise", 15), ("blur", 1)]):
            dist = noisy(img, arg, 7 + arg) if kind == "noise" else blurred(img, arg)
            name = "%s_%s%d.png" % (base, kind, arg)
            images[name] = dist
            pairs.append((base + ".png", name))
    for n, a in images.items():
        save(n, a)
    lines = ["# a b ssim(skimage) ms_ssim(numpy, tf.image.ssim_multiscale algorithm); data_range 255"]
    for a, b in pairs:
        x, y = images[a], images[b]
        rgb = x.ndim == 3
        s = structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                  data_range=255, channel_axis=-1 if rgb else None)
        m = ms_ssim(x, y)
        if x.shape[0] % 2 == 0 and x.shape[1] % 2 == 0:
            m2 = ms_ssim_torch(x, y)
            assert abs(m - m2) < 1e-9, (a, b, m, m2)
        lines.append("%s %s %.10f %.10f" % (a, b, s, m))
        print(lines[-1])
    with open(os.path.join(OUT, "ssim_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


main()

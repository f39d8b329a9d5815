#!/usr/bin/python3
"""PyTorch reference timings for 3D-MedGAN's networks, for docs/benchmarks.md (section "medgan").

Same architectures as MedSynth's Java networks (org.medsynth.workflow.medgan.MedGanConfig):
generator = pix2pix U-Net in 3D (4x4x4 stride-2 convolutions, LeakyReLU 0.2 before every encoder level
but the first and before every decoder level, instance norm without affine on encoder levels
1..depth-2 and on every decoder level but the outermost, skip concatenation, tanh), spectral norm on
every convolution; discriminator = conditional 3D PatchGAN (instance norm, spectral norm, LeakyReLU
0.2). One iteration = G step (LSGAN, D frozen) + CycleGAN image pool + D step (LSGAN), batch 1,
Adam 2e-4 (0.5, 0.999). Synthesis = sliding window over a 181 x 217 x 181 label map with the same
tiles, Gaussian weights and margin as MedSynth. CPU, 2 threads, float32. Prints one JSON object.

usage: bench_medgan_torch.py CLASSES WIDTH DEPTH D_WIDTH D_LAYERS PATCHES(comma) REPEATS SYNTH_PATCH
"""
import json
import random
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm as sn

torch.set_num_threads(2)
torch.manual_seed(0)


def ch(width, level):
    return width * min(2 ** min(level, 3), 8)


class UNet3D(nn.Module):
    def __init__(self, cin, cout, width, depth):
        super().__init__()
        self.depth = depth
        self.down = nn.ModuleList()
        c = cin
        for i in range(depth):
            self.down.append(sn(nn.Conv3d(c, ch(width, i), 4, 2, 1)))
            c = ch(width, i)
        self.down_norm = nn.ModuleList([nn.InstanceNorm3d(ch(width, i)) for i in range(depth)])
        self.up = nn.ModuleList()
        self.up_norm = nn.ModuleList()
        for i in range(depth - 1, 0, -1):
            inp = ch(width, i) if i == depth - 1 else 2 * ch(width, i)
            self.up.append(sn(nn.ConvTranspose3d(inp, ch(width, i - 1), 4, 2, 1)))
            self.up_norm.append(nn.InstanceNorm3d(ch(width, i - 1)))
        self.out = sn(nn.ConvTranspose3d(2 * ch(width, 0), cout, 4, 2, 1))

    def forward(self, x):
        skips = []
        h = x
        for i in range(self.depth):
            if i > 0:
                h = F.leaky_relu(h, 0.2)
            h = self.down[i](h)
            if 0 < i < self.depth - 1:
                h = self.down_norm[i](h)
            skips.append(h)
        for k, i in enumerate(range(self.depth - 1, 0, -1)):
            h = F.leaky_relu(h, 0.2)
            h = self.up_norm[k](self.up[k](h))
            h = torch.cat([skips[i - 1], h], 1)
        return torch.tanh(self.out(F.leaky_relu(h, 0.2)))


class PatchGan3D(nn.Module):
    def __init__(self, cin, width, layers):
        super().__init__()
        seq = [sn(nn.Conv3d(cin, width, 4, 2, 1)), nn.LeakyReLU(0.2)]
        c = width
        for n in range(1, layers + 1):
            co = width * min(2 ** n, 8)
            seq += [sn(nn.Conv3d(c, co, 4, 2 if n < layers else 1, 1)), nn.InstanceNorm3d(co), nn.LeakyReLU(0.2)]
            c = co
        seq.append(sn(nn.Conv3d(c, 1, 4, 1, 1)))
        self.net = nn.Sequential(*seq)

    def forward(self, c, x):
        return self.net(torch.cat([c, x], 1))


class Pool:
    def __init__(self, size):
        self.size, self.items = size, []

    def query(self, pair):
        if len(self.items) < self.size:
            self.items.append(pair)
            return pair
        if random.random() < 0.5:
            i = random.randrange(self.size)
            old, self.items[i] = self.items[i], pair
            return old
        return pair


def one_hot(idx, k):
    return F.one_hot(idx.long(), k).permute(0, 4, 1, 2, 3).float()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def gauss(n):
    s, c = n / 8.0, (n - 1) / 2.0
    return np.exp(-((np.arange(n) - c) ** 2) / (2 * s * s))


def positions(size, tile, stride):
    if size <= tile:
        return [0]
    p = list(range(0, size - tile, stride))
    return p + [size - tile]


def main():
    k, width, depth, dw, dl = (int(a) for a in sys.argv[1:6])
    patches = [int(p) for p in sys.argv[6].split(",")]
    reps = int(sys.argv[7])
    synth_patch = int(sys.argv[8])
    res = {"threads": torch.get_num_threads(), "torch": torch.__version__, "cases": []}
    models = {}
    for p in patches:
        g, d = UNet3D(k + 1, 1, width, depth), PatchGan3D(k + 1, dw, dl)
        models[p] = g
        og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
        od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
        pool = Pool(50)
        idx = torch.randint(0, k, (1, p, p, p))
        c = one_hot(idx, k)
        x = torch.rand(1, 1, p, p, p) * 2 - 1
        gin = torch.cat([c, torch.randn(1, 1, p, p, p)], 1)

        def g_step():
            og.zero_grad(set_to_none=True)
            for q in d.parameters():
                q.requires_grad_(False)
            fake = g(gin)
            loss = 0.5 * ((d(c, fake) - 1) ** 2).mean()
            loss.backward()
            og.step()
            for q in d.parameters():
                q.requires_grad_(True)
            return fake.detach()

        def d_step(fc, ff):
            od.zero_grad(set_to_none=True)
            loss = 0.5 * ((d(c, x) - 1) ** 2).mean() + 0.5 * (d(fc, ff) ** 2).mean()
            loss.backward()
            od.step()

        def iteration():
            fake = g_step()
            pc, pf = pool.query((c, fake))
            d_step(pc, pf)

        def timed(f, n):
            f()
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            return (time.perf_counter() - t0) / n

        t_g = timed(g_step, reps)
        t_d = timed(lambda: d_step(c, x), reps)
        t_it = timed(iteration, reps)
        res["cases"].append({"patch": p, "g_step_s": t_g, "d_step_s": t_d, "iteration_s": t_it, "peak_rss_mb": rss_mb(),
                             "g_params": sum(q.numel() for q in g.parameters()),
                             "d_params": sum(q.numel() for q in d.parameters())})
    # synthesis of a 181 x 217 x 181 label map (x, y, z) with tiles of synth_patch, overlap 0.5, Gaussian weights, margin tile/8
    g = models[synth_patch].eval()
    W, H, D = 181, 217, 181
    t, stride = synth_patch, synth_patch // 2
    margin = min(t // 8, (t - stride) // 2)
    lab = np.random.RandomState(1).randint(0, k, size=(D, H, W))
    noise = np.random.RandomState(2).randn(D, H, W).astype(np.float32)
    acc = np.zeros((D, H, W))
    wsum = np.zeros((D, H, W))
    pz, py, px = positions(D, t, stride), positions(H, t, stride), positions(W, t, stride)
    w1 = gauss(t)
    t0 = time.perf_counter()
    tiles = 0
    with torch.no_grad():
        for z in pz:
            for y in py:
                for x0 in px:
                    li = torch.from_numpy(lab[z:z + t, y:y + t, x0:x0 + t]).unsqueeze(0)
                    gin = torch.cat([one_hot(li, k), torch.from_numpy(noise[z:z + t, y:y + t, x0:x0 + t]).view(1, 1, t, t, t)], 1)
                    out = g(gin)[0, 0].numpy()
                    ws = []
                    for a, (s, size) in enumerate(((z, D), (y, H), (x0, W))):
                        w = w1.copy()
                        if s > 0:
                            w[:margin] = 0
                        if s + t < size:
                            w[t - margin:] = 0
                        ws.append(w)
                    wt = ws[0][:, None, None] * ws[1][None, :, None] * ws[2][None, None, :]
                    acc[z:z + t, y:y + t, x0:x0 + t] += wt * out
                    wsum[z:z + t, y:y + t, x0:x0 + t] += wt
                    tiles += 1
    vol = acc / wsum
    res["synthesis"] = {"size": [W, H, D], "tile": t, "tiles": tiles, "seconds": time.perf_counter() - t0,
                        "peak_rss_mb": rss_mb(), "finite": bool(np.isfinite(vol).all())}
    print(json.dumps(res))


if __name__ == "__main__":
    main()

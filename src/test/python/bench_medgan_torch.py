#!/usr/bin/python3
"""PyTorch reference timings for 3D-MedGAN's networks, for docs/benchmarks.md (section "medgan").

Same architectures as MedSynth's Java networks (org.medsynth.workflow.medgan.MedGanConfig):
generator = pix2pix U-Net in 3D (4x4x4 stride-2 convolutions, LeakyReLU 0.2 before every encoder level
but the first and before every decoder level, instance norm without affine on encoder levels
1..depth-2 and on every decoder level but the outermost, skip concatenation; decoder nearest x2 + 3x3x3
convolution, the outermost level concatenating the input before a last 3x3x3 convolution; tanh), spectral
norm on every convolution; discriminator = conditional 3D PatchGAN (instance norm, spectral norm, LeakyReLU
0.2). One iteration = G step (LSGAN, D frozen) + CycleGAN image pool + D step (LSGAN), batch 1,
Adam 2e-4 (0.5, 0.999). Synthesis = one pass over a 181 x 217 x 181 label map padded to a multiple
of 2^depth, as MedSynth's. CPU, 2 threads, float32. Prints one JSON object.

usage: bench_medgan_torch.py CLASSES WIDTH DEPTH D_WIDTH D_LAYERS PATCHES(comma) REPEATS SYNTH_PATCH [WARMUP_SECONDS]
(SYNTH_PATCH: the patch size whose model synthesises)
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

from bench_timing import seconds_per_call

torch.set_num_threads(2)
torch.manual_seed(0)


def ch(width, level):
    return width * min(2 ** min(level, 3), 8)


class UNet3D(nn.Module):
    """MedSynth's default decoder (UNet.Upsample.NEAREST_INPUT_SKIP): nearest x2 + 3x3x3 conv in every decoder block; the
    outermost block makes `width` maps (no norm), LeakyReLU, concatenates the network input and a last 3x3x3 conv makes
    the output."""

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
            self.up.append(sn(nn.Conv3d(inp, ch(width, i - 1), 3, 1, 1)))
            self.up_norm.append(nn.InstanceNorm3d(ch(width, i - 1)))
        self.up0 = sn(nn.Conv3d(2 * ch(width, 0), width, 3, 1, 1))
        self.out = sn(nn.Conv3d(width + cin, cout, 3, 1, 1))

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
            h = F.interpolate(F.leaky_relu(h, 0.2), scale_factor=2, mode="nearest")
            h = self.up_norm[k](self.up[k](h))
            h = torch.cat([skips[i - 1], h], 1)
        h = self.up0(F.interpolate(F.leaky_relu(h, 0.2), scale_factor=2, mode="nearest"))
        return torch.tanh(self.out(torch.cat([x, F.leaky_relu(h, 0.2)], 1)))


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


def main():
    k, width, depth, dw, dl = (int(a) for a in sys.argv[1:6])
    patches = [int(p) for p in sys.argv[6].split(",")]
    reps = int(sys.argv[7])
    synth_patch = int(sys.argv[8])
    warm = float(sys.argv[9]) if len(sys.argv) > 9 else 0.0
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

        # one warm-up call at least, as MedGanBenchmark's
        t_g = seconds_per_call(g_step, reps, 1, warm)
        t_d = seconds_per_call(lambda: d_step(c, x), reps, 1, warm)
        t_it = seconds_per_call(iteration, reps, 1, warm)
        res["cases"].append({"patch": p, "g_step_s": t_g, "d_step_s": t_d, "iteration_s": t_it, "peak_rss_mb": rss_mb(),
                             "g_params": sum(q.numel() for q in g.parameters()),
                             "d_params": sum(q.numel() for q in d.parameters())})
    # synthesis of a 181 x 217 x 181 label map (x, y, z) in one pass over the whole volume, padded (with class 0 and
    # noise 0) to a multiple of 2^depth, as MedSynth's models synthesise by default
    g = models[synth_patch].eval()
    W, H, D = 181, 217, 181
    m = 2 ** depth
    pd, ph, pw = (-(-n // m) * m for n in (D, H, W))
    lab = np.random.RandomState(1).randint(0, k, size=(D, H, W))
    noise = np.random.RandomState(2).randn(D, H, W).astype(np.float32)
    t0 = time.perf_counter()
    with torch.no_grad():
        li = torch.zeros(1, pd, ph, pw, dtype=torch.long)
        li[0, :D, :H, :W] = torch.from_numpy(lab)
        nz = torch.zeros(1, 1, pd, ph, pw)
        nz[0, 0, :D, :H, :W] = torch.from_numpy(noise)
        vol = g(torch.cat([one_hot(li, k), nz], 1))[0, 0, :D, :H, :W].numpy()
    res["synthesis"] = {"size": [W, H, D], "padded": [pw, ph, pd], "seconds": time.perf_counter() - t0,
                        "peak_rss_mb": rss_mb(), "finite": bool(np.isfinite(vol).all())}
    print(json.dumps(res))


if __name__ == "__main__":
    main()

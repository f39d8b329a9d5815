#!/usr/bin/python3
"""PyTorch reference timings for SkrGAN's networks, for docs/benchmarks.md.

Same architectures as MedSynth's Java networks (org.medsynth.nn.networks): PGGAN generator and
discriminator (tkarras/progressive_growing_of_gans: pixel norm, equalised learning rate, minibatch
stddev, LeakyReLU 0.2, WGAN-GP with drift) and pix2pix (U-Net with 4x4 stride-2 convs and MedSynth's default
decoder, nearest x2 + 3x3 conv with the input skip; 70x70 PatchGAN, lambda_L1 100). CPU, 2 threads, float32. Prints one JSON object.

usage: bench_skrgan_torch.py WIDTH RESOLUTIONS BATCH REPEATS UNET_WIDTH [WARMUP_SECONDS]
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from bench_timing import seconds_per_call

torch.set_num_threads(2)
torch.manual_seed(0)


def nf(stage, width, fmap_base=8192, fmap_max=512):
    return max(1, int(min(fmap_base / (2.0 ** stage), fmap_max) * width))


class EqConv(nn.Module):
    def __init__(self, cin, cout, k, gain=math.sqrt(2)):
        super().__init__()
        self.w = nn.Parameter(torch.randn(cout, cin, k, k))
        self.b = nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin * k * k)
        self.pad = k // 2

    def forward(self, x):
        return F.conv2d(x, self.w * self.scale, self.b, padding=self.pad)


class EqDense(nn.Module):
    def __init__(self, cin, cout, gain=math.sqrt(2)):
        super().__init__()
        self.w = nn.Parameter(torch.randn(cout, cin))
        self.b = nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin)

    def forward(self, x):
        return F.linear(x, self.w * self.scale, self.b)


def pixel_norm(x):
    return x * torch.rsqrt(torch.mean(x * x, dim=1, keepdim=True) + 1e-8)


def lrelu(x):
    return F.leaky_relu(x, 0.2)


class Generator(nn.Module):
    def __init__(self, res, channels, width):
        super().__init__()
        self.stages = int(math.log2(res)) - 1
        self.latent = nf(0, width)
        self.code = nn.Parameter(torch.ones(1, self.latent))   # SkrGAN's learned latent code l: G(z (.) l)
        self.dense = EqDense(self.latent, nf(1, width) * 16, gain=math.sqrt(2) / 4)
        self.conv4 = EqConv(nf(1, width), nf(1, width), 3)
        self.blocks = nn.ModuleList()
        for s in range(2, self.stages + 1):
            self.blocks.append(nn.ModuleList([EqConv(nf(s - 1, width), nf(s, width), 3), EqConv(nf(s, width), nf(s, width), 3)]))
        # toRGB of the last two resolutions: the fade-in blends them (MedSynth's graph, like PGGAN's, always has it)
        self.torgb = nn.ModuleList([EqConv(nf(s, width), channels, 1, gain=1) for s in range(max(1, self.stages - 1), self.stages + 1)])

    def forward(self, z, alpha=1.0):
        x = pixel_norm(z * self.code)
        x = pixel_norm(lrelu(self.dense(x).view(z.shape[0], -1, 4, 4)))
        x = pixel_norm(lrelu(self.conv4(x)))
        prev = x
        for b in self.blocks:
            prev = x
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = pixel_norm(lrelu(b[0](x)))
            x = pixel_norm(lrelu(b[1](x)))
        out = self.torgb[-1](x)
        if len(self.blocks):
            low = F.interpolate(self.torgb[-2](prev), scale_factor=2, mode="nearest")
            out = low + alpha * (out - low)
        return out


class Discriminator(nn.Module):
    def __init__(self, res, channels, width):
        super().__init__()
        self.stages = int(math.log2(res)) - 1
        self.fromrgb = EqConv(channels, nf(self.stages, width), 1)
        # fade-in from the half resolution, always computed as in MedSynth's graph (alpha 1 here)
        self.fromrgb_low = EqConv(channels, nf(self.stages - 1, width), 1) if self.stages > 1 else None
        self.blocks = nn.ModuleList()
        for s in range(self.stages, 1, -1):
            self.blocks.append(nn.ModuleList([EqConv(nf(s, width), nf(s, width), 3), EqConv(nf(s, width), nf(s - 1, width), 3)]))
        self.conv4 = EqConv(nf(1, width) + 1, nf(1, width), 3)
        self.dense1 = EqDense(nf(1, width) * 16, nf(0, width))
        self.dense2 = EqDense(nf(0, width), 1, gain=1)

    def forward(self, img, alpha=1.0):
        x = lrelu(self.fromrgb(img))
        for k, b in enumerate(self.blocks):
            x = lrelu(b[0](x))
            x = lrelu(b[1](x))
            x = F.avg_pool2d(x, 2)
            if k == 0:
                skip = lrelu(self.fromrgb_low(F.avg_pool2d(img, 2)))
                x = skip + alpha * (x - skip)
        g = min(4, x.shape[0])
        y = x.view(g, -1, *x.shape[1:])
        y = torch.sqrt(torch.var(y, dim=0, unbiased=False) + 1e-8).mean(dim=[1, 2, 3], keepdim=True)
        y = y.repeat(g, 1, x.shape[2], x.shape[3])
        x = torch.cat([x, y], 1)
        x = lrelu(self.conv4(x))
        x = lrelu(self.dense1(x.flatten(1)))
        return self.dense2(x)


class UNet(nn.Module):
    """pix2pix unet_256 layout with configurable width (ngf) and depth 8 (256 px), up-sampling as MedSynth's default
    (UNet.Upsample.NEAREST_INPUT_SKIP): nearest x2 + 3x3 conv (no bias, batch norm) in every decoder block; the outermost
    block makes ngf maps, concatenates the network input and a last 3x3 conv (with bias) makes the output."""

    def __init__(self, cin, cout, ngf, depth=8):
        super().__init__()
        ch = [min(ngf * 2 ** i, ngf * 8) for i in range(depth)]
        self.down = nn.ModuleList()
        self.dnorm = nn.ModuleList()
        prev = cin
        for i, c in enumerate(ch):
            self.down.append(nn.Conv2d(prev, c, 4, 2, 1, bias=False))
            self.dnorm.append(nn.BatchNorm2d(c) if 0 < i < depth - 1 else nn.Identity())
            prev = c
        self.up = nn.ModuleList()
        self.unorm = nn.ModuleList()
        for i in reversed(range(depth)):
            cin_up = ch[i] if i == depth - 1 else ch[i] * 2
            cout_up = ngf if i == 0 else ch[i - 1]
            self.up.append(nn.Conv2d(cin_up, cout_up, 3, 1, 1, bias=False))
            self.unorm.append(nn.BatchNorm2d(cout_up))
        self.out = nn.Conv2d(ngf + cin, cout, 3, 1, 1)
        self.depth = depth

    def forward(self, x):
        skips = []
        h = x
        for i, (d, n) in enumerate(zip(self.down, self.dnorm)):
            h = d(h if i == 0 else F.leaky_relu(h, 0.2))
            h = n(h)
            skips.append(h)
        for j, (u, n) in enumerate(zip(self.up, self.unorm)):
            i = self.depth - 1 - j
            if j > 0:
                h = torch.cat([skips[i], h], 1)
            h = n(u(F.interpolate(F.relu(h), scale_factor=2, mode="nearest")))
            if 0 < j <= 3 and i > 0:
                h = F.dropout(h, 0.5, self.training)
        return torch.tanh(self.out(torch.cat([x, F.relu(h)], 1)))


class PatchGAN(nn.Module):
    def __init__(self, cin, ndf):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(cin, ndf, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 1, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * 8, 1, 4, 1, 1))

    def forward(self, x):
        return self.net(x)


def timed(fn, repeats, warmup_seconds=0.0):
    # two warm-up calls at least, as SkrGanBenchmark's WARMUP
    return seconds_per_call(fn, repeats, 2, warmup_seconds)


def pggan_iteration(res, width, batch, channels):
    G, D = Generator(res, channels, width), Discriminator(res, channels, width)
    og = torch.optim.Adam(G.parameters(), 1e-3, betas=(0.0, 0.99))
    od = torch.optim.Adam(D.parameters(), 1e-3, betas=(0.0, 0.99))
    real = torch.randn(batch, channels, res, res)

    def step():
        z = torch.randn(batch, G.latent)
        fake = G(z).detach()
        eps = torch.rand(batch, 1, 1, 1)
        mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
        d_mix = D(mix)
        grad = torch.autograd.grad(d_mix.sum(), mix, create_graph=True)[0]
        gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
        d_real = D(real)
        loss_d = D(fake).mean() - d_real.mean() + 10 * gp + 0.001 * (d_real ** 2).mean()
        od.zero_grad(); loss_d.backward(); od.step()
        loss_g = -D(G(torch.randn(batch, G.latent))).mean()
        og.zero_grad(); loss_g.backward(); og.step()

    return step, G, D


def pix2pix_iteration(res, ngf, batch, cin, cout):
    depth = int(math.log2(res))
    G, D = UNet(cin, cout, ngf, depth), PatchGAN(cin + cout, ngf)
    og = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    sketch, real = torch.randn(batch, cin, res, res), torch.randn(batch, cout, res, res)
    bce = nn.BCEWithLogitsLoss()

    def step():
        fake = G(sketch)
        pr, pf = D(torch.cat([sketch, real], 1)), D(torch.cat([sketch, fake.detach()], 1))
        loss_d = 0.5 * (bce(pr, torch.ones_like(pr)) + bce(pf, torch.zeros_like(pf)))
        od.zero_grad(); loss_d.backward(); od.step()
        pg = D(torch.cat([sketch, fake], 1))
        loss_g = bce(pg, torch.ones_like(pg)) + 100 * F.l1_loss(fake, real)
        og.zero_grad(); loss_g.backward(); og.step()

    return step, G, D


def count(m):
    return sum(q.numel() for q in m.parameters())


def main():
    width = float(sys.argv[1])
    resolutions = [int(r) for r in sys.argv[2].split(",")]
    batch = int(sys.argv[3])
    repeats = int(sys.argv[4])
    ngf = int(sys.argv[5])
    warm = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "pggan": {}, "pix2pix": {}}
    out["params"] = {}
    for res in resolutions:
        step, g, d = pggan_iteration(res, width, batch, 1)
        out["pggan"][res] = timed(step, repeats, warm)
        out["params"]["pggan_" + str(res)] = [count(g), count(d)]
    step, gp, dp = pix2pix_iteration(256, ngf, 1, 1, 3)
    out["pix2pix"]["256"] = timed(step, repeats, warm)
    out["params"]["pix2pix"] = [count(gp), count(dp)]
    G = Generator(max(resolutions), 1, width).eval()
    gp.eval()
    with torch.no_grad():
        def gen():
            s = G(torch.randn(1, G.latent))
            s = F.interpolate(s, size=256) if s.shape[-1] != 256 else s
            gp(torch.tanh(s))
        out["generate_per_image"] = timed(gen, repeats, warm)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

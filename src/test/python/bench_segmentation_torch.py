#!/usr/bin/python3
"""PyTorch reference timings for MedSynth's segmentation networks, for docs/benchmarks.md (section
"segmentation"); called by org.medsynth.bench.SegmentationBenchmark once per case, in the same run.

The networks are written here again, layer for layer, after the Java classes in
org.medsynth.nn.networks (the parameter count printed must equal MedSynth's; the benchmark table shows
both):
  unet            SegUNet: depth x [double conv (3x3 conv, norm, ReLU) x2, 2x max pool], bottom double
                  conv, decoder [2x2 stride-2 transposed conv, concat(skip, up), double conv], 1x1 head
  attention-unet  AttentionUNet: U-Net whose skips pass Oktay's additive attention gate
                  (theta 2x2 s2 no bias, phi 1x1, ReLU, psi 1x1 -> sigmoid, nearest up-sampling,
                  W = 1x1 conv + norm), inter channels = skip channels / 2, gated by the decoder map
                  one level below
  unet++          UNetPlusPlus without deep supervision: nested dense skips X(i, j), one head on X(0, depth)
  mlu-net         MluNet: multi-level blocks (3 branches: 1x1 conv, one 3x3, two 3x3; selective-kernel
                  attention: GAP of the branch sum, Dense C -> max(ceil(C/4), 4), ReLU, Dense per branch,
                  softmax over branches), U-Net decoder with a 1x1 head at every level brought to full
                  size by a k = s = 2^i transposed conv, final logits = learned weighted sum; loss =
                  Dice(final) + 0.5 mean Dice(scale-wise maps)
  info-max-net    InfoMaxNet with SegUNet backbone: + MI encoder (a second U-Net, width = F = width, 1x1
                  head to F maps), GAP of its features and of the backbone's code, bilinear critic
                  T(x, y) = x^T theta y + thetaX x + thetaY y + theta0 on positive (same image) and
                  negative (other image of the batch) pairs, BCE; loss = Dice + BCE
  im-mlu-net      InfoMaxNet with MluNet backbone
Batch norm (affine, training-mode statistics; convolutions before it have no bias), instance norm
(no affine) or none, as MedSynth's Norm. Train step = forward + soft Dice (eq. 1, eps 1e-5) + backward
+ Adam (lr 1e-4); inference = eval-mode forward (running statistics) to the class probabilities,
no_grad. Inputs are random (timings do not depend on the values). CPU, torch.set_num_threads(2),
float32.

usage: bench_segmentation_torch.py NETWORK SIZE WIDTH DEPTH CLASSES BATCH WARMUP STEPS [NORM]
  SIZE: 256x256 (2D) or 48x256x256 (3D); NORM: batch (default), instance, none
Prints one JSON object: network, dims, parameters, train_s (mean), train_all, infer_s (mean),
infer_all, peak_rss_gb (ru_maxrss of this process), torch version, threads.
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)

DICE_EPS = 1e-5


class Ops:
    """2D / 3D layer factories."""

    def __init__(self, dims, norm):
        self.dims = dims
        self.norm_kind = norm
        self.Conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.ConvT = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d

    def conv_bias(self):
        return self.norm_kind != 'batch'

    def norm(self, c):
        if self.norm_kind == 'batch':
            return nn.BatchNorm2d(c) if self.dims == 2 else nn.BatchNorm3d(c)
        if self.norm_kind == 'instance':
            return nn.InstanceNorm2d(c) if self.dims == 2 else nn.InstanceNorm3d(c)
        return nn.Identity()

    def pool(self, x):
        return F.max_pool2d(x, 2) if self.dims == 2 else F.max_pool3d(x, 2)

    def gap(self, x):
        return x.mean(dim=tuple(range(2, x.dim())))


class ConvNormRelu(nn.Sequential):
    def __init__(self, ops, cin, cout, k):
        super().__init__(ops.Conv(cin, cout, k, padding=k // 2, bias=ops.conv_bias()), ops.norm(cout), nn.ReLU())


class DoubleConv(nn.Sequential):
    """SegBlocks.doubleConv"""

    def __init__(self, ops, cin, c):
        super().__init__(ConvNormRelu(ops, cin, c, 3), ConvNormRelu(ops, c, c, 3))


class ConvStack(nn.Sequential):
    """SegBlocks.convStack: k = 0 one 1x1 (conv, norm, ReLU); else k stacked 3x3."""

    def __init__(self, ops, cin, c, k):
        if k == 0:
            super().__init__(ConvNormRelu(ops, cin, c, 1))
        else:
            super().__init__(*[ConvNormRelu(ops, cin if i == 0 else c, c, 3) for i in range(k)])


def up_conv(ops, cin, cout):
    """SegBlocks.upConv: 2x2 stride-2 transposed convolution with bias."""
    return ops.ConvT(cin, cout, 2, stride=2)


def head(ops, cin, classes):
    return ops.Conv(cin, classes, 1)


def ch(width, level):
    return width << level


class UNetBody(nn.Module):
    """SegUNet.encodeDecode: returns (logits, code)."""

    def __init__(self, ops, cin, width, depth, out):
        super().__init__()
        self.ops, self.depth = ops, depth
        self.enc = nn.ModuleList()
        c = cin
        for i in range(depth):
            self.enc.append(DoubleConv(ops, c, ch(width, i)))
            c = ch(width, i)
        self.bottom = DoubleConv(ops, c, ch(width, depth))
        self.up = nn.ModuleList([up_conv(ops, ch(width, i + 1), ch(width, i)) for i in range(depth)])
        self.dec = nn.ModuleList([DoubleConv(ops, 2 * ch(width, i), ch(width, i)) for i in range(depth)])
        self.head = head(ops, width, out)

    def forward(self, x):
        skips = []
        h = x
        for i in range(self.depth):
            h = self.enc[i](h)
            skips.append(h)
            h = self.ops.pool(h)
        code = self.bottom(h)
        h = code
        for i in range(self.depth - 1, -1, -1):
            h = self.dec[i](torch.cat([skips[i], self.up[i](h)], 1))
        return self.head(h), code


class UNet(nn.Module):
    def __init__(self, ops, cin, classes, width, depth):
        super().__init__()
        self.body = UNetBody(ops, cin, width, depth, classes)

    def forward(self, x):
        logits, code = self.body(x)
        return logits, [], code


class AttentionGate(nn.Module):
    """layers.AttentionGate (f = 2)."""

    def __init__(self, ops, fx, fg, inter):
        super().__init__()
        self.ops = ops
        self.theta = ops.Conv(fx, inter, 2, stride=2, bias=False)
        self.phi = ops.Conv(fg, inter, 1)
        self.psi = ops.Conv(inter, 1, 1)
        self.W = ops.Conv(fx, fx, 1, bias=ops.conv_bias())
        self.norm = ops.norm(fx)

    def forward(self, x, g):
        q = F.relu(self.theta(x) + self.phi(g))
        alpha = torch.sigmoid(self.psi(q))
        up = F.interpolate(alpha, scale_factor=2, mode='nearest')
        return self.norm(self.W(x * up))


class AttentionUNet(nn.Module):
    def __init__(self, ops, cin, classes, width, depth):
        super().__init__()
        self.ops, self.depth = ops, depth
        self.enc = nn.ModuleList()
        c = cin
        for i in range(depth):
            self.enc.append(DoubleConv(ops, c, ch(width, i)))
            c = ch(width, i)
        self.bottom = DoubleConv(ops, c, ch(width, depth))
        self.gate = nn.ModuleList([AttentionGate(ops, ch(width, i), ch(width, i + 1), max(1, ch(width, i) // 2))
                                   for i in range(depth)])
        self.up = nn.ModuleList([up_conv(ops, ch(width, i + 1), ch(width, i)) for i in range(depth)])
        self.dec = nn.ModuleList([DoubleConv(ops, 2 * ch(width, i), ch(width, i)) for i in range(depth)])
        self.head = head(ops, width, classes)

    def forward(self, x):
        skips = []
        h = x
        for i in range(self.depth):
            h = self.enc[i](h)
            skips.append(h)
            h = self.ops.pool(h)
        code = self.bottom(h)
        h = code
        for i in range(self.depth - 1, -1, -1):
            gated = self.gate[i](skips[i], h)
            h = self.dec[i](torch.cat([gated, self.up[i](h)], 1))
        return self.head(h), [], code


class UNetPlusPlus(nn.Module):
    def __init__(self, ops, cin, classes, width, depth):
        super().__init__()
        self.ops, self.depth = ops, depth
        self.node = nn.ModuleDict()
        self.up = nn.ModuleDict()
        for i in range(depth + 1):
            self.node['x%d_0' % i] = DoubleConv(ops, cin if i == 0 else ch(width, i - 1), ch(width, i))
        for j in range(1, depth + 1):
            for i in range(0, depth - j + 1):
                self.up['up%d_%d' % (i, j)] = up_conv(ops, ch(width, i + 1), ch(width, i))
                self.node['x%d_%d' % (i, j)] = DoubleConv(ops, (j + 1) * ch(width, i), ch(width, i))
        self.head = head(ops, width, classes)

    def forward(self, x):
        d = self.depth
        node = {}
        h = x
        for i in range(d + 1):
            if i > 0:
                h = self.ops.pool(h)
            h = self.node['x%d_0' % i](h)
            node[(i, 0)] = h
        for j in range(1, d + 1):
            for i in range(0, d - j + 1):
                parts = [node[(i, k)] for k in range(j)] + [self.up['up%d_%d' % (i, j)](node[(i + 1, j - 1)])]
                node[(i, j)] = self.node['x%d_%d' % (i, j)](torch.cat(parts, 1))
        return self.head(node[(0, d)]), [], node[(d, 0)]


class MultiLevelBlock(nn.Module):
    """MluNet.multiLevelBlock"""

    def __init__(self, ops, cin, c, branches):
        super().__init__()
        self.ops = ops
        self.branch = nn.ModuleList([ConvStack(ops, cin, c, k) for k in range(branches)])
        hidden = max((c + 3) // 4, 4)
        self.squeeze = nn.Linear(c, hidden)
        self.select = nn.ModuleList([nn.Linear(hidden, c) for _ in range(branches)])

    def forward(self, x):
        f = [b(x) for b in self.branch]
        s = self.ops.gap(sum(f))
        z = F.relu(self.squeeze(s))
        a = torch.softmax(torch.stack([sel(z) for sel in self.select], 1), 1)   # [N, B, C]
        shape = (a.shape[0], a.shape[2]) + (1,) * self.ops.dims
        return sum(a[:, k].reshape(shape) * f[k] for k in range(len(f)))


class MluNet(nn.Module):
    SIDE_WEIGHT = 0.5

    def __init__(self, ops, cin, classes, width, depth, branches=3):
        super().__init__()
        self.ops, self.depth = ops, depth
        self.enc = nn.ModuleList()
        c = cin
        for i in range(depth):
            self.enc.append(MultiLevelBlock(ops, c, ch(width, i), branches))
            c = ch(width, i)
        self.bottom = DoubleConv(ops, c, ch(width, depth))
        self.up = nn.ModuleList([up_conv(ops, ch(width, i + 1), ch(width, i)) for i in range(depth)])
        self.dec = nn.ModuleList([DoubleConv(ops, 2 * ch(width, i), ch(width, i)) for i in range(depth)])
        self.heads = nn.ModuleList([head(ops, ch(width, i), classes) for i in range(depth)])
        self.upscale = nn.ModuleList([ops.ConvT(classes, classes, 2 ** i, stride=2 ** i) if i > 0 else nn.Identity()
                                      for i in range(depth)])
        self.fuse = nn.ParameterList([nn.Parameter(torch.full((1,) * (2 + ops.dims), 1.0 / depth)) for _ in range(depth)])

    def forward(self, x):
        skips = []
        h = x
        for i in range(self.depth):
            h = self.enc[i](h)
            skips.append(h)
            h = self.ops.pool(h)
        code = self.bottom(h)
        h = code
        side = [None] * self.depth
        for i in range(self.depth - 1, -1, -1):
            h = self.dec[i](torch.cat([skips[i], self.up[i](h)], 1))
            side[i] = self.upscale[i](self.heads[i](h))
        fused = sum(self.fuse[i] * side[i] for i in range(self.depth))
        return fused, side, code


class BilinearCritic(nn.Module):
    def __init__(self, f, k):
        super().__init__()
        self.theta = nn.Parameter(torch.randn(f, k) / f ** 0.5)
        self.thetaX = nn.Parameter(torch.randn(f, 1) / f ** 0.5)
        self.thetaY = nn.Parameter(torch.randn(k, 1) / k ** 0.5)
        self.theta0 = nn.Parameter(torch.zeros(1))

    def forward(self, x, y):
        return ((x @ self.theta) * y).sum(1) + (x @ self.thetaX).reshape(-1) + (y @ self.thetaY).reshape(-1) + self.theta0


class InfoMaxNet(nn.Module):
    def __init__(self, backbone, ops, cin, width, depth):
        super().__init__()
        self.ops = ops
        self.backbone = backbone
        self.mi = UNetBody(ops, cin, width, depth, width)
        self.critic = BilinearCritic(width, ch(width, depth))

    def forward(self, x):
        return self.backbone(x)

    def mi_loss(self, x, code, pos, neg):
        fx = self.ops.gap(self.mi(x)[0])
        y = self.ops.gap(code)
        s_pos = self.critic(pos @ fx, y)
        s_neg = self.critic(neg @ fx, y)
        return 0.5 * (F.binary_cross_entropy_with_logits(s_pos, torch.ones_like(s_pos))
                      + F.binary_cross_entropy_with_logits(s_neg, torch.zeros_like(s_neg)))


def soft_dice(probs, target):
    axes = (0,) + tuple(range(2, probs.dim()))
    inter = (probs * target).sum(axes)
    denom = (probs * probs).sum(axes) + (target * target).sum(axes) + DICE_EPS
    return (1 - 2 * inter / denom).mean()


def build(name, ops, cin, classes, width, depth):
    if name == 'unet':
        return UNet(ops, cin, classes, width, depth), 0.0, False
    if name == 'attention-unet':
        return AttentionUNet(ops, cin, classes, width, depth), 0.0, False
    if name == 'unet++':
        return UNetPlusPlus(ops, cin, classes, width, depth), 0.0, False
    if name == 'mlu-net':
        return MluNet(ops, cin, classes, width, depth), MluNet.SIDE_WEIGHT, False
    if name == 'info-max-net':
        return InfoMaxNet(UNet(ops, cin, classes, width, depth), ops, cin, width, depth), 0.0, True
    if name == 'im-mlu-net':
        return InfoMaxNet(MluNet(ops, cin, classes, width, depth), ops, cin, width, depth), MluNet.SIDE_WEIGHT, True
    raise SystemExit('unknown network ' + name)


def main():
    if len(sys.argv) < 9:
        raise SystemExit(__doc__)
    name, size = sys.argv[1], [int(s) for s in sys.argv[2].split('x')]
    width, depth, classes, batch, warmup, steps = (int(a) for a in sys.argv[3:9])
    norm = sys.argv[9] if len(sys.argv) > 9 else 'batch'
    dims = len(size)
    ops = Ops(dims, norm)
    model, side_weight, mi = build(name, ops, 1, classes, width, depth)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    x = torch.randn(batch, 1, *size)
    labels = torch.randint(0, classes, (batch, *size))
    target = F.one_hot(labels, classes).movedim(-1, 1).float()
    pos = torch.eye(batch)
    neg = torch.roll(torch.eye(batch), 1, 1)   # the other image of the batch

    def train_step():
        opt.zero_grad(set_to_none=True)
        logits, sides, code = model(x)
        loss = soft_dice(torch.softmax(logits, 1), target)
        if sides and side_weight > 0:
            loss = loss + side_weight * sum(soft_dice(torch.softmax(s, 1), target) for s in sides) / len(sides)
        if mi:
            loss = loss + model.mi_loss(x, code, pos, neg)
        loss.backward()
        opt.step()

    model.train()
    train = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        train_step()
        if i >= warmup:
            train.append(time.perf_counter() - t0)
    model.eval()
    xi = x[:1]
    infer = []
    with torch.no_grad():
        for i in range(warmup + steps):
            t0 = time.perf_counter()
            torch.softmax(model(xi)[0], 1)
            if i >= warmup:
                infer.append(time.perf_counter() - t0)
    print(json.dumps({'network': name, 'dims': dims, 'size': size, 'width': width, 'batch': batch, 'parameters': params,
                      'train_s': sum(train) / len(train), 'train_all': train,
                      'infer_s': sum(infer) / len(infer), 'infer_all': infer,
                      'peak_rss_gb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2,
                      'torch': torch.__version__, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()

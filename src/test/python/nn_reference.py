#!/usr/bin/python3
"""Reference values for the org.medsynth.nn layer tests, computed with PyTorch (CPU, float64).

Run from the repository root:  /usr/bin/python3 src/test/python/nn_reference.py
Writes one JSON file per case to src/test/resources/nn/.

Every case has fixed inputs and parameters, the forward output(s) and, for a scalar loss
L = sum(out * upstream) with a fixed random 'upstream' array, the gradients of L with respect to
the inputs and the parameters.

Parameters are written in the layout and under the names the Java code uses (SameDiff layout):
  Conv2d weight   [cOut, cIn, kH, kW]      -> [kH, kW, cIn, cOut]          permute(2, 3, 1, 0)
  Conv3d weight   [cOut, cIn, kD, kH, kW]  -> [kD, kH, kW, cIn, cOut]      permute(2, 3, 4, 1, 0)
  ConvTranspose2d [cIn, cOut, kH, kW]      -> [kH, kW, cOut, cIn]          permute(2, 3, 1, 0)
  ConvTranspose3d [cIn, cOut, kD, kH, kW]  -> [kD, kH, kW, cOut, cIn]      permute(2, 3, 4, 1, 0)
  Linear weight   [out, in]                -> [in, out]                    transpose
Gradients of parameters are converted the same way.
"""
import json
import math
import os
import zlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'resources', 'nn')


def conv_w(w):
    return w.permute(2, 3, 1, 0) if w.dim() == 4 else w.permute(2, 3, 4, 1, 0)


def arr(t):
    t = t.detach().contiguous()
    return {'shape': list(t.shape), 'data': [float(v) for v in t.reshape(-1).tolist()]}


def write(name, inputs, params, outputs, grads, meta=None, upstream=None):
    doc = {'case': name,
           'inputs': {k: arr(v) for k, v in inputs.items()},
           'params': {k: arr(v) for k, v in params.items()},
           'outputs': {k: arr(v) for k, v in outputs.items()},
           'grads': {k: arr(v) for k, v in grads.items()},
           'meta': meta or {}}
    if upstream is not None:
        doc['upstream'] = arr(upstream)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(doc, f, indent=None, separators=(',', ':'))
    print('wrote', name)


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def backward(out, inputs_and_params):
    up = torch.randn(*out.shape)
    (out * up).sum().backward()
    return up


# ---------------------------------------------------------------- convolutions
def case_conv(name, x_shape, c_out, k, s, p, bias, dims):
    torch.manual_seed(zlib.crc32(name.encode()) % 10000)
    x = leaf(*x_shape)
    c_in = x_shape[1]
    w = leaf(c_out, c_in, *([k] * dims), scale=0.3)
    b = leaf(c_out) if bias else None
    conv = F.conv2d if dims == 2 else F.conv3d
    y = conv(x, w, b, stride=s, padding=p)
    up = backward(y, None)
    params = {'conv/W': conv_w(w)}
    grads = {'x': x.grad, 'conv/W': conv_w(w.grad)}
    if bias:
        params['conv/b'] = b
        grads['conv/b'] = b.grad
    write(name, {'x': x}, params, {'y': y}, grads, {'kernel': k, 'stride': s, 'padding': p, 'bias': bias, 'cOut': c_out}, up)


def case_convt(name, x_shape, c_out, k, s, p, bias, dims):
    torch.manual_seed(zlib.crc32(name.encode()) % 10000)
    x = leaf(*x_shape)
    c_in = x_shape[1]
    w = leaf(c_in, c_out, *([k] * dims), scale=0.3)
    b = leaf(c_out) if bias else None
    convt = F.conv_transpose2d if dims == 2 else F.conv_transpose3d
    y = convt(x, w, b, stride=s, padding=p)
    up = backward(y, None)
    params = {'convT/W': conv_w(w)}
    grads = {'x': x.grad, 'convT/W': conv_w(w.grad)}
    if bias:
        params['convT/b'] = b
        grads['convT/b'] = b.grad
    write(name, {'x': x}, params, {'y': y}, grads, {'kernel': k, 'stride': s, 'padding': p, 'bias': bias, 'cOut': c_out}, up)


def case_dense():
    torch.manual_seed(11)
    x = leaf(3, 2, 2, 2)  # flattened to 8 features
    w = leaf(4, 8, scale=0.3)
    b = leaf(4)
    y = F.linear(x.flatten(1), w, b)
    up = backward(y, None)
    write('dense', {'x': x}, {'fc/W': w.t(), 'fc/b': b}, {'y': y},
          {'x': x.grad, 'fc/W': w.grad.t(), 'fc/b': b.grad}, {'out': 4}, up)


def case_equalized_conv():
    torch.manual_seed(12)
    x = leaf(2, 3, 4, 4)
    w = leaf(5, 3, 3, 3)  # stored N(0, 1)
    b = leaf(5)
    scale = math.sqrt(2) / math.sqrt(3 * 3 * 3)
    y = F.conv2d(x, w * scale, b, padding=1)
    up = backward(y, None)
    write('conv2d_equalized', {'x': x}, {'conv/W': conv_w(w), 'conv/b': b}, {'y': y},
          {'x': x.grad, 'conv/W': conv_w(w.grad), 'conv/b': b.grad}, {'gain': math.sqrt(2)}, up)


# ---------------------------------------------------------------- normalisations
def case_instance_norm(name, shape, affine):
    torch.manual_seed(13 + len(shape))
    x = leaf(*shape, scale=2.0)
    with torch.no_grad():
        x += 0.5
    c = shape[1]
    params, grads = {}, {}
    if affine:
        g = leaf(c)
        be = leaf(c)
        y = F.instance_norm(x, weight=g, bias=be, eps=1e-5)
    else:
        y = F.instance_norm(x, eps=1e-5)
    up = backward(y, None)
    if affine:
        params = {'in/gamma': g, 'in/beta': be}
        grads = {'in/gamma': g.grad, 'in/beta': be.grad}
    grads['x'] = x.grad
    write(name, {'x': x}, params, {'y': y}, grads, {'affine': affine}, up)


def case_batch_norm(name='batchnorm2d', shape=(3, 4, 3, 5), seed=17, offset=0.0):
    """Training-mode batch norm (batch statistics, running-statistics update) and inference mode
    (running statistics), F.batch_norm = BatchNorm2d/3d; shape [N, C, spatial...]."""
    torch.manual_seed(seed)
    c = shape[1]
    x = (torch.randn(*shape) * 1.5 + offset).requires_grad_(True)
    g = leaf(c)
    be = leaf(c)
    rm = torch.randn(c)
    rv = torch.rand(c) + 0.5
    rm_after, rv_after = rm.clone(), rv.clone()
    y = F.batch_norm(x, rm_after, rv_after, g, be, training=True, momentum=0.1, eps=1e-5)
    up = backward(y, None)
    with torch.no_grad():
        y_inf = F.batch_norm(x, rm, rv, g, be, training=False, eps=1e-5)
    write(name, {'x': x},
          {'bn/gamma': g, 'bn/beta': be, 'bn/runningMean': rm, 'bn/runningVar': rv},
          {'y': y, 'yInference': y_inf, 'runningMeanAfter': rm_after, 'runningVarAfter': rv_after},
          {'x': x.grad, 'bn/gamma': g.grad, 'bn/beta': be.grad}, {}, up)


def pixel_norm(x):
    return x / torch.sqrt((x * x).mean(dim=1, keepdim=True) + 1e-8)


def case_pixel_norm():
    torch.manual_seed(19)
    x = leaf(2, 5, 3, 3)
    y = pixel_norm(x)
    up = backward(y, None)
    write('pixelnorm', {'x': x}, {}, {'y': y}, {'x': x.grad}, {}, up)


def minibatch_stddev(x, group_size=4):
    # tkarras/progressive_growing_of_gans networks.py minibatch_stddev_layer, NCHW
    g = min(group_size, x.shape[0])
    s = x.shape
    y = x.reshape(g, -1, *s[1:])
    y = y - y.mean(dim=0, keepdim=True)
    y = (y * y).mean(dim=0)
    y = torch.sqrt(y + 1e-8)
    y = y.mean(dim=list(range(1, y.dim())), keepdim=True)
    y = y.reshape(-1, *([1] * (x.dim() - 1)))      # [M, 1, 1, 1]
    y = y.repeat(g, 1, *s[2:])                     # [N, 1, H, W], sample n gets y[n % M]
    return torch.cat([x, y], dim=1)


def case_minibatch_stddev(name, shape):
    torch.manual_seed(23 + shape[0])
    x = leaf(*shape)
    y = minibatch_stddev(x)
    up = backward(y, None)
    write(name, {'x': x}, {}, {'y': y}, {'x': x.grad}, {'groupSize': 4}, up)


def case_leaky_relu():
    torch.manual_seed(29)
    x = leaf(2, 3, 4, 4)
    y = F.leaky_relu(x, 0.2)
    up = backward(y, None)
    write('leakyrelu', {'x': x}, {}, {'y': y}, {'x': x.grad}, {'slope': 0.2}, up)


def case_relu():
    torch.manual_seed(30)
    x = torch.randn(2, 3, 4, 4, dtype=torch.float64)
    x.view(-1)[::7] = 0.0   # the derivative at exactly 0 is 0 (PyTorch's threshold_backward)
    x.requires_grad_(True)
    y = F.relu(x)
    up = backward(y, None)
    write('relu', {'x': x}, {}, {'y': y}, {'x': x.grad}, {}, up)


def case_resample(name, shape, mode):
    torch.manual_seed(31 + len(shape))
    x = leaf(*shape)
    if mode == 'up':
        y = F.interpolate(x, scale_factor=2, mode='nearest')
    else:
        y = F.avg_pool2d(x, 2) if len(shape) == 4 else F.avg_pool3d(x, 2)
    up = backward(y, None)
    write(name, {'x': x}, {}, {'y': y}, {'x': x.grad}, {'mode': mode}, up)


def case_channel_softmax(name, shape):
    torch.manual_seed(37 + len(shape))
    x = leaf(*shape, scale=3.0)
    y = torch.softmax(x, dim=1)
    up = backward(y, None)
    write(name, {'x': x}, {}, {'y': y}, {'x': x.grad}, {}, up)


# ---------------------------------------------------------------- attention gate
def case_attention_gate():
    """Oktay et al. grid attention (sub-sample factor 2) with nearest up-sampling of the coefficients,
    W = 1x1 conv (no bias) + BatchNorm in training mode."""
    torch.manual_seed(41)
    x = leaf(2, 4, 8, 8)
    g = leaf(2, 6, 4, 4)
    inter = 3
    w_theta = leaf(inter, 4, 2, 2, scale=0.4)
    w_phi = leaf(inter, 6, 1, 1, scale=0.4)
    b_phi = leaf(inter, scale=0.2)
    w_psi = leaf(1, inter, 1, 1, scale=0.5)
    b_psi = leaf(1, scale=0.2)
    w_w = leaf(4, 4, 1, 1, scale=0.4)
    gamma = leaf(4)
    beta = leaf(4)
    theta = F.conv2d(x, w_theta, None, stride=2)
    phi = F.conv2d(g, w_phi, b_phi)
    q = F.relu(theta + phi)
    alpha = torch.sigmoid(F.conv2d(q, w_psi, b_psi))
    alpha_up = F.interpolate(alpha, scale_factor=2, mode='nearest')
    y = alpha_up * x
    wy = F.conv2d(y, w_w, None)
    out = F.batch_norm(wy, torch.zeros(4), torch.ones(4), gamma, beta, training=True, eps=1e-5)
    up = torch.randn(*out.shape)
    up_alpha = torch.randn(*alpha_up.shape)
    ((out * up).sum() + (alpha_up * up_alpha).sum()).backward()
    params = {'ag/theta/W': conv_w(w_theta), 'ag/phi/W': conv_w(w_phi), 'ag/phi/b': b_phi,
              'ag/psi/W': conv_w(w_psi), 'ag/psi/b': b_psi, 'ag/W/W': conv_w(w_w),
              'ag/norm/gamma': gamma, 'ag/norm/beta': beta}
    grads = {'x': x.grad, 'g': g.grad, 'ag/theta/W': conv_w(w_theta.grad), 'ag/phi/W': conv_w(w_phi.grad),
             'ag/phi/b': b_phi.grad, 'ag/psi/W': conv_w(w_psi.grad), 'ag/psi/b': b_psi.grad,
             'ag/W/W': conv_w(w_w.grad), 'ag/norm/gamma': gamma.grad, 'ag/norm/beta': beta.grad}
    doc_inputs = {'x': x, 'g': g}
    write('attention_gate', doc_inputs, params, {'y': out, 'alpha': alpha_up}, grads,
          {'inter': inter}, up)
    # second upstream (for alpha) stored separately
    path = os.path.join(OUT, 'attention_gate.json')
    with open(path) as f:
        doc = json.load(f)
    doc['upstreamAlpha'] = arr(up_alpha)
    with open(path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))


# ---------------------------------------------------------------- spectral norm
def normalize(v, eps=1e-12):
    return v / max(v.norm().item(), eps)


def case_spectral_norm(name, kind, w_shape, x_shape, iters):
    """torch.nn.utils.spectral_norm: W viewed as [rows, cols] with rows = dim 0 (conv, linear) or
    dim 1 (conv transpose); n power iterations v = normalize(W^T u), u = normalize(W v) starting
    from the given u; sigma = u^T W v with u, v detached."""
    torch.manual_seed(43 + iters + len(w_shape))
    w = leaf(*w_shape, scale=0.5)
    x = leaf(*x_shape)
    dim = 1 if kind == 'convT' else 0
    perm = [dim] + [d for d in range(w.dim()) if d != dim]
    wm = w.detach().permute(*perm).reshape(w.shape[dim], -1)
    u0 = normalize(torch.randn(wm.shape[0]))
    u = u0.clone()
    v = None
    for _ in range(iters):
        v = normalize(wm.t() @ u)
        u = normalize(wm @ v)
    wm_g = w.permute(*perm).reshape(w.shape[dim], -1)
    sigma = torch.dot(u, wm_g @ v)
    w_sn = w / sigma
    if kind == 'conv':
        y = F.conv2d(x, w_sn, None, padding=1)
    elif kind == 'convT':
        y = F.conv_transpose2d(x, w_sn, None, stride=2, padding=1)
    else:
        y = F.linear(x, w_sn)
    up = backward(y, None)
    if kind == 'linear':
        jw, jgrad = w.t(), w.grad.t()
    else:
        jw, jgrad = conv_w(w), conv_w(w.grad)
    # largest singular value of the matrix for the property check
    s_max = torch.linalg.svdvals(wm)[0]
    write(name, {'x': x}, {'layer/W': jw, 'u0': u0},
          {'y': y, 'sigma': sigma.reshape(1), 'u': u, 'svdMax': s_max.reshape(1)},
          {'x': x.grad, 'layer/W': jgrad}, {'iterations': iters, 'kind': kind}, up)


# ---------------------------------------------------------------- pix2pix networks
# UnetSkipConnectionBlock / UnetGenerator / NLayerDiscriminator as in
# junyanz/pytorch-CycleGAN-and-pix2pix models/networks.py (norm_layer partials as get_norm_layer).
import functools
import torch.nn as nn


class UnetSkipConnectionBlock(nn.Module):
    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False,
                 norm_layer=nn.BatchNorm2d, use_dropout=False):
        super().__init__()
        self.outermost = outermost
        if type(norm_layer) == functools.partial:
            use_bias = norm_layer.func == nn.InstanceNorm2d
        else:
            use_bias = norm_layer == nn.InstanceNorm2d
        if input_nc is None:
            input_nc = outer_nc
        downconv = nn.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
        downrelu = nn.LeakyReLU(0.2, True)
        downnorm = norm_layer(inner_nc)
        uprelu = nn.ReLU(True)
        upnorm = norm_layer(outer_nc)
        self.parts = {'downconv': downconv, 'downnorm': None, 'upconv': None, 'upnorm': None, 'sub': submodule}
        if outermost:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1)
            model = [downconv] + [submodule] + [uprelu, upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(inner_nc, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
            model = [downrelu, downconv] + [uprelu, upconv, upnorm]
            self.parts['upnorm'] = upnorm
        else:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
            model = [downrelu, downconv, downnorm] + [submodule] + [uprelu, upconv, upnorm]
            if use_dropout:
                model = model + [nn.Dropout(0.5)]
            self.parts['downnorm'] = downnorm
            self.parts['upnorm'] = upnorm
        self.parts['upconv'] = upconv
        self.model = nn.Sequential(*model)

    def forward(self, x):
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)


def unet_generator(input_nc, output_nc, num_downs, ngf, norm_layer, use_dropout):
    unet_block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=None, norm_layer=norm_layer, innermost=True)
    for _ in range(num_downs - 5):
        unet_block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=unet_block, norm_layer=norm_layer, use_dropout=use_dropout)
    unet_block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, submodule=unet_block, norm_layer=norm_layer)
    unet_block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, submodule=unet_block, norm_layer=norm_layer)
    unet_block = UnetSkipConnectionBlock(ngf, ngf * 2, submodule=unet_block, norm_layer=norm_layer)
    return UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=unet_block, outermost=True, norm_layer=norm_layer)


def nlayer_discriminator(input_nc, ndf, n_layers, norm_layer):
    if type(norm_layer) == functools.partial:
        use_bias = norm_layer.func == nn.InstanceNorm2d
    else:
        use_bias = norm_layer == nn.InstanceNorm2d
    kw, padw = 4, 1
    sequence = [nn.Conv2d(input_nc, ndf, kernel_size=kw, stride=2, padding=padw), nn.LeakyReLU(0.2, True)]
    nf_mult = 1
    for n in range(1, n_layers):
        nf_mult_prev = nf_mult
        nf_mult = min(2 ** n, 8)
        sequence += [nn.Conv2d(ndf * nf_mult_prev, ndf * nf_mult, kernel_size=kw, stride=2, padding=padw, bias=use_bias),
                     norm_layer(ndf * nf_mult), nn.LeakyReLU(0.2, True)]
    nf_mult_prev = nf_mult
    nf_mult = min(2 ** n_layers, 8)
    sequence += [nn.Conv2d(ndf * nf_mult_prev, ndf * nf_mult, kernel_size=kw, stride=1, padding=padw, bias=use_bias),
                 norm_layer(ndf * nf_mult), nn.LeakyReLU(0.2, True)]
    sequence += [nn.Conv2d(ndf * nf_mult, 1, kernel_size=kw, stride=1, padding=padw)]
    return nn.Sequential(*sequence)


BATCH = functools.partial(nn.BatchNorm2d, affine=True, track_running_stats=True)
INSTANCE = functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)


def init_pix2pix(net, gain=0.02):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, gain)
            if m.bias is not None:
                nn.init.normal_(m.bias, 0.0, 0.1)   # non-zero biases make the test stronger
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, gain)
            nn.init.normal_(m.bias, 0.0, 0.1)


def add_norm(params, prefix, norm):
    if isinstance(norm, nn.BatchNorm2d):
        params[prefix + 'gamma'] = norm.weight
        params[prefix + 'beta'] = norm.bias
        params[prefix + 'runningMean'] = norm.running_mean
        params[prefix + 'runningVar'] = norm.running_var


def unet_params(top, prefix):
    """Maps the recursive pix2pix blocks to the Java names down<i>/..., up<i>/..."""
    params = {}
    block, level = top, 0
    while block is not None:
        p = block.parts
        params[f'{prefix}down{level}/conv/W'] = p['downconv'].weight
        if p['downconv'].bias is not None:
            params[f'{prefix}down{level}/conv/b'] = p['downconv'].bias
        if p['downnorm'] is not None:
            add_norm(params, f'{prefix}down{level}/norm/', p['downnorm'])
        params[f'{prefix}up{level}/convT/W'] = p['upconv'].weight
        if p['upconv'].bias is not None:
            params[f'{prefix}up{level}/convT/b'] = p['upconv'].bias
        if p['upnorm'] is not None:
            add_norm(params, f'{prefix}up{level}/norm/', p['upnorm'])
        block, level = p['sub'], level + 1
    return params


def java_layout(name, t):
    if name.endswith('/W') and t.dim() >= 4:
        return conv_w(t)
    return t


def case_network(name, net, params, x, extra_meta):
    y = net(x)
    up = torch.randn(*y.shape)
    (y * up).sum().backward()
    jp = {k: java_layout(k, v) for k, v in params.items()}
    grads = {k: java_layout(k, v.grad) for k, v in params.items() if v.grad is not None}
    grads['x'] = x.grad
    write(name, {'x': x}, jp, {'y': y}, grads, extra_meta, up)


def case_unet(name, norm_layer, norm_name, depth, ngf, size, in_c, out_c, batch):
    torch.manual_seed(zlib.crc32(name.encode()) % 10000)
    net = unet_generator(in_c, out_c, depth, ngf, norm_layer, use_dropout=False)
    init_pix2pix(net)
    net.train()
    x = leaf(batch, in_c, size, size)
    case_network(name, net, unet_params(net, 'G/'), x,
                 {'depth': depth, 'width': ngf, 'norm': norm_name, 'inChannels': in_c, 'outChannels': out_c})


def case_patchgan(name, norm_layer, norm_name, n_layers, ndf, size, in_c, batch):
    torch.manual_seed(zlib.crc32(name.encode()) % 10000)
    net = nlayer_discriminator(in_c, ndf, n_layers, norm_layer)
    init_pix2pix(net)
    net.train()
    params = {}
    convs = [m for m in net if isinstance(m, nn.Conv2d)]
    norms = [m for m in net if isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d))]
    for i, c in enumerate(convs[:-1]):
        params[f'D/conv{i}/conv/W'] = c.weight
        if c.bias is not None:
            params[f'D/conv{i}/conv/b'] = c.bias
        if i >= 1:
            add_norm(params, f'D/conv{i}/norm/', norms[i - 1])
    params['D/out/W'] = convs[-1].weight
    params['D/out/b'] = convs[-1].bias
    x = leaf(batch, in_c, size, size)
    case_network(name, net, params, x, {'layers': n_layers, 'width': ndf, 'norm': norm_name, 'inChannels': in_c})


def param_counts():
    counts = {}
    counts['unet256_batch_3to3'] = sum(p.numel() for p in unet_generator(3, 3, 8, 64, BATCH, True).parameters())
    counts['unet256_instance_1to1'] = sum(p.numel() for p in unet_generator(1, 1, 8, 64, INSTANCE, True).parameters())
    counts['patchgan70_batch_6'] = sum(p.numel() for p in nlayer_discriminator(6, 64, 3, BATCH).parameters())
    with open(os.path.join(OUT, 'pix2pix_param_counts.json'), 'w') as f:
        json.dump(counts, f, indent=1)
    print('param counts', counts)


# ---------------------------------------------------------------- WGAN-GP and Adam
def tiny_critic(x, p, mbstd):
    """conv3 s2 p1 -> LReLU -> [minibatch stddev] -> conv3 s2 p1 -> LReLU -> dense -> 1"""
    h = F.leaky_relu(F.conv2d(x, p['c1W'], p['c1b'], stride=2, padding=1), 0.2)
    if mbstd:
        h = minibatch_stddev(h)
    h = F.leaky_relu(F.conv2d(h, p['c2W'], p['c2b'], stride=2, padding=1), 0.2)
    return F.linear(h.flatten(1), p['fcW'], p['fcb'])


def case_wgan_gp(name, mbstd, n, lam=10.0, drift=0.001):
    """PGGAN's WGAN-GP D loss: mean D(fake) - mean D(real) + drift mean D(real)^2
    + lam mean_i (||grad_x sum_j D(x_hat_j)||_i - 1)^2 with x_hat = real + t (fake - real),
    differentiated twice (create_graph=True)."""
    torch.manual_seed(zlib.crc32(name.encode()) % 10000)
    c, size, f = 2, 8, 3
    p = {'c1W': leaf(f, c, 3, 3, scale=0.4), 'c1b': leaf(f, scale=0.1),
         'c2W': leaf(f, f + (1 if mbstd else 0), 3, 3, scale=0.4), 'c2b': leaf(f, scale=0.1),
         'fcW': leaf(1, f * 2 * 2, scale=0.4), 'fcb': leaf(1, scale=0.1)}
    real = torch.randn(n, c, size, size)
    fake = torch.randn(n, c, size, size) * 0.5
    t = torch.rand(n, 1, 1, 1)
    x_hat = (real + t * (fake - real)).requires_grad_(True)
    d_real = tiny_critic(real, p, mbstd)
    d_fake = tiny_critic(fake, p, mbstd)
    d_hat = tiny_critic(x_hat, p, mbstd)
    g, = torch.autograd.grad(d_hat.sum(), x_hat, create_graph=True)
    norms = g.flatten(1).norm(dim=1)
    gp = lam * ((norms - 1) ** 2).mean()
    loss = d_fake.mean() - d_real.mean() + drift * (d_real ** 2).mean() + gp
    loss.backward()
    names = {'c1W': 'D/c1/W', 'c1b': 'D/c1/b', 'c2W': 'D/c2/W', 'c2b': 'D/c2/b', 'fcW': 'D/fc/W', 'fcb': 'D/fc/b'}

    def jl(k, v):
        return conv_w(v) if k in ('c1W', 'c2W') else (v.t() if k == 'fcW' else v)
    write(name, {'real': real, 'fake': fake, 't': t.reshape(n)},
          {names[k]: jl(k, v) for k, v in p.items()},
          {'loss': loss.reshape(1), 'gp': gp.reshape(1), 'norms': norms,
           'wasserstein': (d_real.mean() - d_fake.mean()).reshape(1)},
          {names[k]: jl(k, v.grad) for k, v in p.items()}, {'lambda': lam, 'drift': drift, 'mbstd': mbstd})


def case_adam():
    """torch.optim.Adam, 3 steps with given gradients, two parameter settings."""
    torch.manual_seed(51)
    out = {}
    for tag, (lr, b1, b2, eps) in {'pix2pix': (2e-4, 0.5, 0.999, 1e-8), 'pggan': (1e-3, 0.0, 0.99, 1e-8)}.items():
        w = torch.randn(3, 4).requires_grad_(True)
        w0 = w.detach().clone()
        opt = torch.optim.Adam([w], lr=lr, betas=(b1, b2), eps=eps)
        grads = [torch.randn(3, 4) * s for s in (1.0, 0.01, 3.0)]
        for i, gr in enumerate(grads):
            opt.zero_grad()
            w.grad = gr.clone()
            opt.step()
            out[f'{tag}_w{i + 1}'] = w.detach().clone()
            out[f'{tag}_g{i + 1}'] = gr
        out[f'{tag}_w0'] = w0
    write('adam', {}, {}, {k: v for k, v in out.items()}, {}, {'pix2pix': [2e-4, 0.5, 0.999, 1e-8], 'pggan': [1e-3, 0.0, 0.99, 1e-8]})


def main():
    case_conv('conv2d_k3s1p1_bias', (2, 3, 5, 5), 4, 3, 1, 1, True, 2)
    case_conv('conv2d_k4s2p1_nobias', (2, 3, 8, 8), 4, 4, 2, 1, False, 2)
    case_conv('conv2d_k4s1p1_bias', (1, 2, 6, 5), 3, 4, 1, 1, True, 2)
    case_conv('conv3d_k3s2p1_bias', (2, 2, 5, 6, 7), 3, 3, 2, 1, True, 3)
    case_conv('conv3d_k4s2p1_nobias', (1, 2, 4, 6, 4), 2, 4, 2, 1, False, 3)
    case_convt('convT2d_k4s2p1_bias', (2, 3, 3, 4), 2, 4, 2, 1, True, 2)
    case_convt('convT2d_k4s1p0_nobias', (2, 3, 1, 1), 5, 4, 1, 0, False, 2)
    case_convt('convT3d_k4s2p1_nobias', (1, 2, 2, 3, 2), 3, 4, 2, 1, False, 3)
    case_convt('convT3d_k3s1p1_bias', (1, 2, 3, 3, 2), 2, 3, 1, 1, True, 3)
    case_dense()
    case_equalized_conv()
    case_instance_norm('instancenorm2d', (2, 3, 4, 5), False)
    case_instance_norm('instancenorm3d_affine', (2, 3, 3, 4, 2), True)
    case_batch_norm()
    case_batch_norm('batchnorm3d', (2, 3, 3, 4, 5), 23)
    case_batch_norm('batchnorm2d_n1_offset', (1, 5, 6, 7), 29, offset=3.0)
    case_pixel_norm()
    case_minibatch_stddev('mbstd_n8', (8, 3, 4, 4))
    case_minibatch_stddev('mbstd_n2', (2, 3, 4, 4))
    case_minibatch_stddev('mbstd3d_n4', (4, 2, 2, 3, 2))
    case_leaky_relu()
    case_relu()
    case_resample('upnearest2d', (2, 3, 3, 4), 'up')
    case_resample('upnearest3d', (1, 2, 2, 3, 2), 'up')
    case_resample('avgdown2d', (2, 3, 4, 6), 'down')
    case_resample('avgdown3d', (1, 2, 4, 2, 6), 'down')
    case_channel_softmax('softmax2d', (2, 4, 3, 5))
    case_channel_softmax('softmax3d', (2, 3, 2, 3, 2))
    case_attention_gate()
    case_spectral_norm('spectral_conv_n1', 'conv', (5, 3, 3, 3), (2, 3, 4, 4), 1)
    case_spectral_norm('spectral_conv_n5', 'conv', (5, 3, 3, 3), (2, 3, 4, 4), 5)
    case_spectral_norm('spectral_convT_n3', 'convT', (4, 3, 4, 4), (2, 4, 3, 3), 3)
    case_spectral_norm('spectral_linear_n2', 'linear', (6, 7), (3, 7), 2)
    case_unet('unet_d5_instance', INSTANCE, 'INSTANCE', 5, 2, 32, 2, 1, 2)
    case_unet('unet_d6_batch', BATCH, 'BATCH', 6, 2, 64, 1, 2, 2)
    case_patchgan('patchgan_n3_batch', BATCH, 'BATCH', 3, 2, 32, 3, 2)
    case_patchgan('patchgan_n2_instance', INSTANCE, 'INSTANCE', 2, 3, 20, 2, 2)
    param_counts()
    case_wgan_gp('wgan_gp_plain', False, 3)
    case_wgan_gp('wgan_gp_mbstd', True, 4)
    case_adam()


if __name__ == '__main__':
    main()

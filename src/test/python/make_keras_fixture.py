"""Writes a tiny Keras 2 (tf.keras) functional model as an .h5 file without TensorFlow, plus the
feature vectors it must produce, for KerasFeatureExtractorTest.

The model uses the layer types of Keras' InceptionV3 (Conv2D without bias, BatchNormalization
with scale=False, ReLU Activation, MaxPooling2D, AveragePooling2D 3x3/1 'same', Concatenate on the
channel axis, GlobalAveragePooling2D named avg_pool), so that a passing test shows that DL4J's
Keras import handles them as Keras does. The expected outputs are computed here with numpy,
following Keras/TensorFlow semantics ('same' padding split low/high as TF, average pooling that
excludes the padding from the divisor).

Run: /usr/bin/python3 src/test/python/make_keras_fixture.py   (needs numpy and h5py)
"""
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "org", "medsynth", "metrics")
SIZE = 29
rng = np.random.RandomState(20240611)


def conv_cfg(name, filters, k, strides, padding, use_bias):
    return {"class_name": "Conv2D", "config": {
        "name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [k, k],
        "strides": [strides, strides], "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1],
        "groups": 1, "activation": "linear", "use_bias": use_bias,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}


def bn_cfg(name):
    init = {"class_name": "Zeros", "config": {}}
    return {"class_name": "BatchNormalization", "config": {
        "name": name, "trainable": True, "dtype": "float32", "axis": [3], "momentum": 0.99, "epsilon": 0.001,
        "center": True, "scale": False, "beta_initializer": init, "gamma_initializer": init,
        "moving_mean_initializer": init, "moving_variance_initializer": {"class_name": "Ones", "config": {}},
        "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}}


def act_cfg(name):
    return {"class_name": "Activation", "config": {"name": name, "trainable": True, "dtype": "float32", "activation": "relu"}}


def pool_cfg(cls, name, k, s, padding):
    return {"class_name": cls, "config": {"name": name, "trainable": True, "dtype": "float32", "pool_size": [k, k],
                                          "padding": padding, "strides": [s, s], "data_format": "channels_last"}}


layers = []
weights = {}


def add(cfg, inputs):
    cfg = dict(cfg)
    cfg["name"] = cfg["config"]["name"]
    cfg["inbound_nodes"] = [[[i, 0, 0, {}] for i in inputs]] if inputs else []
    layers.append(cfg)
    return cfg["name"]


def conv_bn(x, name, cin, filters, k, s, padding):
    w = rng.normal(0, 0.3, size=(k, k, cin, filters)).astype(np.float32)
    weights[name + "_conv"] = [("kernel:0", w)]
    c = add(conv_cfg(name + "_conv", filters, k, s, padding, False), [x])
    beta = rng.normal(0, 0.1, size=filters).astype(np.float32)
    mean = rng.normal(0, 0.2, size=filters).astype(np.float32)
    var = rng.uniform(0.5, 2.0, size=filters).astype(np.float32)
    weights[name + "_bn"] = [("beta:0", beta), ("moving_mean:0", mean), ("moving_variance:0", var)]
    b = add(bn_cfg(name + "_bn"), [c])
    return add(act_cfg(name), [b])


inp = add({"class_name": "InputLayer", "config": {"batch_input_shape": [None, SIZE, SIZE, 3], "dtype": "float32",
                                                  "sparse": False, "ragged": False, "name": "input_1"}}, [])
x = conv_bn(inp, "stem", 3, 6, 3, 2, "valid")                 # 14x14x6
x = add(pool_cfg("MaxPooling2D", "stem_pool", 3, 2, "valid"), [x])  # 6x6x6
b1 = conv_bn(x, "b1x1", 6, 4, 1, 1, "same")
bp = add(pool_cfg("AveragePooling2D", "bpool", 3, 1, "same"), [x])
bp = conv_bn(bp, "bpool_proj", 6, 3, 1, 1, "same")
b3 = conv_bn(x, "b3x3", 6, 5, 3, 1, "same")
mixed = add({"class_name": "Concatenate", "config": {"name": "mixed0", "trainable": True, "dtype": "float32", "axis": 3}},
            [b1, b3, bp])
out = add({"class_name": "GlobalAveragePooling2D", "config": {"name": "avg_pool", "trainable": True, "dtype": "float32",
                                                               "data_format": "channels_last", "keepdims": False}}, [mixed])
model_config = {"class_name": "Functional", "config": {"name": "tiny_inception", "layers": layers,
                                                       "input_layers": [[inp, 0, 0]], "output_layers": [[out, 0, 0]]},
                "keras_version": "2.6.0", "backend": "tensorflow"}


# ---- numpy forward pass with Keras/TF semantics ----
def pad_same(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def conv(x, w, s, padding):
    k = w.shape[0]
    if padding == "same":
        (t, b), (l, r) = pad_same(x.shape[0], k, s), pad_same(x.shape[1], k, s)
        x = np.pad(x, ((t, b), (l, r), (0, 0)))
    oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    y = np.zeros((oh, ow, w.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[i * s:i * s + k, j * s:j * s + k, :]
            y[i, j] = np.tensordot(patch, w, axes=([0, 1, 2], [0, 1, 2]))
    return y


def pool(x, k, s, padding, op):
    if padding == "same":
        (t, b), (l, r) = pad_same(x.shape[0], k, s), pad_same(x.shape[1], k, s)
        x = np.pad(x, ((t, b), (l, r), (0, 0)), constant_values=np.nan)
    oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    y = np.zeros((oh, ow, x.shape[2]))
    for i in range(oh):
        for j in range(ow):
            patch = x[i * s:i * s + k, j * s:j * s + k, :]
            y[i, j] = np.nanmax(patch, axis=(0, 1)) if op == "max" else np.nanmean(patch, axis=(0, 1))
    return y


def conv_bn_np(x, name, k, s, padding):
    y = conv(x, weights[name + "_conv"][0][1].astype(np.float64), s, padding)
    beta, mean, var = [v.astype(np.float64) for _, v in weights[name + "_bn"]]
    y = (y - mean) / np.sqrt(var + 0.001) + beta
    return np.maximum(y, 0)


def forward(img):  # img HxWx3 in [-1, 1]
    x = conv_bn_np(img, "stem", 3, 2, "valid")
    x = pool(x, 3, 2, "valid", "max")
    b1 = conv_bn_np(x, "b1x1", 1, 1, "same")
    bp = conv_bn_np(pool(x, 3, 1, "same", "avg"), "bpool_proj", 1, 1, "same")
    b3 = conv_bn_np(x, "b3x3", 3, 1, "same")
    return np.concatenate([b1, b3, bp], axis=2).mean(axis=(0, 1))


def main():
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "tiny_inception_like.h5")
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.6.0"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.6.0"
        g.attrs["layer_names"] = np.array([l["name"].encode("utf8") for l in layers])
        for l in layers:
            lg = g.create_group(l["name"])
            ws = weights.get(l["name"], [])
            lg.attrs["weight_names"] = np.array([(l["name"] + "/" + n).encode("utf8") for n, _ in ws], dtype="S")
            if ws:
                inner = lg.create_group(l["name"])
                for n, v in ws:
                    inner.create_dataset(n, data=v)
    # test images: RGB, 0-255 integers from a fixed generator, preprocessed as Keras' inception mode
    lines = []
    for k in range(3):
        img = np.fromfunction(lambda y, x, c: (x * 7 + y * 3 + c * 50 + k * 31) % 256, (SIZE, SIZE, 3)).astype(np.float64)
        feat = forward(img / 127.5 - 1.0)
        lines.append(" ".join("%.9g" % v for v in feat))
    with open(os.path.join(OUT, "tiny_inception_like_features.txt"), "w") as f:
        f.write("# features of images k=0,1,2 with pixel (x*7 + y*3 + c*50 + k*31) mod 256, one line each\n")
        f.write("\n".join(lines) + "\n")
    print("wrote", path)


main()

#!/usr/bin/env python3
"""Independent NIfTI-1/2 reader/writer (struct + numpy + gzip only; nibabel is not installed)
used to PRODUCE reference files and values for MedSynth's Java tests. Maven never runs it.

  python3 src/test/python/nifti_reference.py brain     # header fields + voxel statistics of sample-data/brain
  python3 src/test/python/nifti_reference.py fixtures  # small NIfTI files written by this script
  python3 src/test/python/nifti_reference.py check     # reads the files MedSynth's writer produced

Output goes to src/test/resources/org/medsynth/image/nifti/ as .properties files
(java.util.Properties syntax), which the JUnit tests read.
"""
import gzip
import hashlib
import math
import os
import struct
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RES = os.path.join(ROOT, "src", "test", "resources", "org", "medsynth", "image", "nifti")

DTYPES = {2: "u1", 4: "i2", 8: "i4", 16: "f4", 64: "f8", 128: "u1", 256: "i1", 512: "u2",
          768: "u4", 1024: "i8", 1280: "u8", 2304: "u1"}
NAMES = {"uint8": 2, "int16": 4, "int32": 8, "float32": 16, "float64": 64, "rgb24": 128, "int8": 256,
         "uint16": 512, "uint32": 768, "int64": 1024, "uint64": 1280}


# ----------------------------------------------------------------------------- reading

def _open(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw


def read_header(raw):
    le = struct.unpack("<i", raw[:4])[0]
    be = struct.unpack(">i", raw[:4])[0]
    if le in (348, 540):
        e, size = "<", le
    elif be in (348, 540):
        e, size = ">", be
    else:
        raise ValueError("not NIfTI")
    h = {"endian": e, "version": 1 if size == 348 else 2}
    u = lambda fmt, off: struct.unpack_from(e + fmt, raw, off)
    if size == 348:
        h["magic"] = raw[344:348]
        h["dim"] = list(u("8h", 40))
        h["intent_code"] = u("h", 68)[0]
        h["datatype"], h["bitpix"] = u("2h", 70)
        h["pixdim"] = list(u("8f", 76))
        h["vox_offset"] = u("f", 108)[0]
        h["scl_slope"], h["scl_inter"] = u("2f", 112)
        h["xyzt_units"] = raw[123]
        h["cal_max"], h["cal_min"] = u("2f", 124)
        h["descrip"] = raw[148:228].split(b"\0")[0].decode("latin-1")
        h["qform_code"], h["sform_code"] = u("2h", 252)
        h["quatern"] = list(u("6f", 256))
        h["srow"] = [list(u("4f", 280 + 16 * r)) for r in range(3)]
    else:
        h["magic"] = raw[4:12]
        h["datatype"], h["bitpix"] = u("2h", 12)
        h["dim"] = list(u("8q", 16))
        h["pixdim"] = list(u("8d", 104))
        h["vox_offset"] = u("q", 168)[0]
        h["scl_slope"], h["scl_inter"], h["cal_max"], h["cal_min"] = u("4d", 176)
        h["descrip"] = raw[240:320].split(b"\0")[0].decode("latin-1")
        h["qform_code"], h["sform_code"] = u("2i", 344)
        h["quatern"] = list(u("6d", 352))
        h["srow"] = [list(u("4d", 400 + 32 * r)) for r in range(3)]
        h["xyzt_units"] = u("i", 500)[0]
        h["intent_code"] = u("i", 504)[0]
    return h


def read(path):
    """Header dict and data as an array indexed [i, j, k, t, c] (scaled to float64 unless RGB/unscaled)."""
    raw = _open(path)
    h = read_header(raw)
    single = h["magic"][1:2] == b"+"
    if single:
        data, off = raw, int(h["vox_offset"]) or (352 if h["version"] == 1 else 544)
    else:
        stem = path[: -len(".hdr")] if path.endswith(".hdr") else path
        data, off = _open(stem + ".img"), int(h["vox_offset"])
    ndim = h["dim"][0]
    shape = [h["dim"][i] if i <= ndim else 1 for i in range(1, 6)]
    n = int(np.prod(shape))
    code = h["datatype"]
    dt = np.dtype(h["endian"] + DTYPES[code])
    if code in (128, 2304):
        comps = 3 if code == 128 else 4
        arr = np.frombuffer(data, dtype=np.uint8, count=n * comps, offset=off).reshape(shape[::-1] + [comps])
        return h, np.moveaxis(arr, [0, 1, 2, 3, 4], [4, 3, 2, 1, 0])  # [i, j, k, t, c, rgb]
    arr = np.frombuffer(data, dtype=dt, count=n, offset=off).reshape(shape, order="F")
    slope, inter = h["scl_slope"], h["scl_inter"]
    if slope != 0 and math.isfinite(slope) and not (slope == 1 and inter == 0):
        arr = arr.astype(np.float64) * slope + inter
    return h, arr


def quatern_to_affine(b, c, d, qx, qy, qz, dx, dy, dz, qfac):
    a = 1.0 - (b * b + c * c + d * d)
    a = math.sqrt(a) if a > 1e-7 else 0.0
    r = np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                  [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                  [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]])
    s = np.diag([dx, dy, dz * (-1 if qfac < 0 else 1)])
    m = np.eye(4)
    m[:3, :3] = r @ s
    m[:3, 3] = [qx, qy, qz]
    return m


def qform(h):
    q = h["quatern"]
    p = h["pixdim"]
    return quatern_to_affine(q[0], q[1], q[2], q[3], q[4], q[5], p[1], p[2], p[3], p[0])


# ----------------------------------------------------------------------------- writing

def write(path, arr, code, endian="<", version=1, slope=1.0, inter=0.0, pixdim=(1, 1, 1, 1, 1, 1, 1, 1),
          xyzt=2, qcode=0, quatern=(0, 0, 0, 0, 0, 0), scode=0, srow=None, pair=False, gz=False, descrip=""):
    """Writes arr (indexed [i, j, k, t, c], or [i, j, k, t, c, rgb] for RGB24) in NIfTI layout."""
    shape = list(arr.shape[:-1]) if code == 128 else list(arr.shape)
    while len(shape) < 5:
        shape.append(1)
    ndim = max([i + 1 for i, s in enumerate(shape) if s > 1] + [3])
    dim = [ndim] + shape + [1] * (7 - len(shape))
    srow = srow if srow is not None else [[0] * 4] * 3
    hsize = 348 if version == 1 else 540
    off = 0 if pair else hsize + 4
    itemsize = 3 if code == 128 else np.dtype(DTYPES[code]).itemsize
    e = endian
    if version == 1:
        hdr = bytearray(348)
        struct.pack_into(e + "i", hdr, 0, 348)
        hdr[38] = ord("r")
        struct.pack_into(e + "8h", hdr, 40, *dim)
        struct.pack_into(e + "3h", hdr, 70, code, itemsize * 8, 0)
        struct.pack_into(e + "8f", hdr, 76, *pixdim)
        struct.pack_into(e + "3f", hdr, 108, off, slope, inter)
        hdr[123] = xyzt
        hdr[148:148 + len(descrip)] = descrip.encode("latin-1")
        struct.pack_into(e + "2h", hdr, 252, qcode, scode)
        struct.pack_into(e + "6f", hdr, 256, *quatern)
        for r in range(3):
            struct.pack_into(e + "4f", hdr, 280 + 16 * r, *srow[r])
        hdr[344:348] = b"ni1\0" if pair else b"n+1\0"
    else:
        hdr = bytearray(540)
        struct.pack_into(e + "i", hdr, 0, 540)
        hdr[4:12] = (b"ni2\0" if pair else b"n+2\0") + b"\r\n\x1a\n"
        struct.pack_into(e + "2h", hdr, 12, code, itemsize * 8)
        struct.pack_into(e + "8q", hdr, 16, *dim)
        struct.pack_into(e + "8d", hdr, 104, *pixdim)
        struct.pack_into(e + "q", hdr, 168, off)
        struct.pack_into(e + "2d", hdr, 176, slope, inter)
        hdr[240:240 + len(descrip)] = descrip.encode("latin-1")
        struct.pack_into(e + "2i", hdr, 344, qcode, scode)
        struct.pack_into(e + "6d", hdr, 352, *quatern)
        for r in range(3):
            struct.pack_into(e + "4d", hdr, 400 + 32 * r, *srow[r])
        struct.pack_into(e + "i", hdr, 500, xyzt)
    if code == 128:
        data = np.ascontiguousarray(np.moveaxis(arr.reshape(shape + [3]), [0, 1, 2, 3, 4], [4, 3, 2, 1, 0])).tobytes()
    else:
        data = arr.reshape(shape).astype(np.dtype(e + DTYPES[code])).tobytes(order="F")
    if pair:
        stem = path[: -len(".hdr")]
        with open(path, "wb") as f:
            f.write(bytes(hdr) + b"\0" * 4)
        with open(stem + ".img", "wb") as f:
            f.write(data)
    else:
        content = bytes(hdr) + b"\0" * 4 + data
        if gz:
            content = gzip.compress(content, mtime=0)
        with open(path, "wb") as f:
            f.write(content)


def pattern(shape, base, modulus):
    """raw(i, j, k, t) = base + ((3 i + 7 j + 11 k + 13 t) mod modulus): the Java tests compute the same."""
    i, j, k, t = np.meshgrid(*[np.arange(s) for s in shape[:4]], indexing="ij")
    return base + (3 * i + 7 * j + 11 * k + 13 * t) % modulus


def props(path, entries):
    with open(path, "w") as f:
        f.write("# written by src/test/python/nifti_reference.py - do not edit\n")
        for k in sorted(entries):
            f.write("%s=%s\n" % (k, entries[k]))


def nums(values):
    return ",".join(repr(float(v)) for v in values)


# ----------------------------------------------------------------------------- commands

def cmd_brain():
    out = {}
    coords = [(90, 108, 90), (90, 126, 72), (60, 100, 80), (120, 150, 100), (30, 60, 40), (0, 0, 0)]
    for name in ("ch2", "brodmann"):
        h, a = read(os.path.join(ROOT, "sample-data", "brain", name + ".nii.gz"))
        a = a[:, :, :, 0, 0]
        p = name + "."
        out[p + "dim"] = ",".join(str(d) for d in h["dim"])
        out[p + "pixdim"] = nums(h["pixdim"])
        out[p + "datatype"] = h["datatype"]
        out[p + "xyzt_units"] = h["xyzt_units"]
        out[p + "qform_code"] = h["qform_code"]
        out[p + "sform_code"] = h["sform_code"]
        out[p + "srow"] = nums([v for r in h["srow"] for v in r])
        out[p + "intent_code"] = h["intent_code"]
        out[p + "sum"] = int(a.astype(np.int64).sum())
        out[p + "nonzero"] = int((a != 0).sum())
        out[p + "max"] = int(a.max())
        out[p + "coords"] = ";".join("%d,%d,%d" % c for c in coords)
        out[p + "values"] = ",".join(str(int(a[c])) for c in coords)
        out[p + "slice_sums_k"] = ",".join(str(int(s)) for s in a.astype(np.int64).sum(axis=(0, 1)))
        if name == "brodmann":
            labels, counts = np.unique(a, return_counts=True)
            out[p + "labels"] = ",".join(str(int(v)) for v in labels)
            out[p + "label_counts"] = ",".join(str(int(v)) for v in counts)
            # one voxel (i, j, k) of every label: the first in file order (i fastest)
            flat = a.ravel(order="F")
            first = [int(np.argmax(flat == v)) for v in labels]
            ijk = [np.unravel_index(f, a.shape, order="F") for f in first]
            out[p + "label_voxels"] = ";".join("%d,%d,%d" % tuple(int(x) for x in v) for v in ijk)
    props(os.path.join(RES, "brain_reference.properties"), out)


FIXTURES = [
    # name, datatype, endian, version, base, modulus, slope, inter, options
    ("py_uint8_le_v1.nii", "uint8", "<", 1, 0, 251, 1.0, 0.0, {}),
    ("py_int8_be_v1.nii", "int8", ">", 1, -100, 200, 1.0, 0.0, {}),
    ("py_int16_le_v1.nii.gz", "int16", "<", 1, -30000, 60001, 1.0, 0.0, {"gz": True}),
    ("py_int16_be_v1_scaled.nii", "int16", ">", 1, -500, 1000, 0.25, -10.0, {}),
    ("py_uint16_le_v1_pair.hdr", "uint16", "<", 1, 0, 65521, 1.0, 0.0, {"pair": True}),
    ("py_int32_be_v2.nii", "int32", ">", 2, -2000000, 4000000, 1.0, 0.0, {}),
    ("py_uint32_le_v1.nii", "uint32", "<", 1, 3000000000, 1000, 1.0, 0.0, {}),
    ("py_int64_le_v2.nii.gz", "int64", "<", 2, -1000000, 2000000, 1.0, 0.0, {"gz": True}),
    ("py_uint64_be_v1.nii", "uint64", ">", 1, 0, 100000, 1.0, 0.0, {}),
    ("py_float32_be_v1_4d.nii", "float32", ">", 1, -50, 100, 0.5, 0.0, {"nt": 3, "pixdim4": 2.5, "xyzt": 2 | 8}),
    ("py_float64_le_v2_oblique.nii", "float64", "<", 2, -7, 90, 1.0, 0.0, {"oblique": True}),
    ("py_float32_le_v2_pair.hdr", "float32", "<", 2, 0, 1000, 1.0, 0.0, {"pair": True}),
    ("py_rgb24_le_v1.nii", "rgb24", "<", 1, 0, 256, 1.0, 0.0, {}),
    ("py_uint8_be_v1_scaled.nii", "uint8", ">", 1, 0, 256, 2.0, 1.0, {}),
]


def cmd_fixtures():
    d = os.path.join(RES, "python")
    os.makedirs(d, exist_ok=True)
    out = {}
    nx, ny, nz = 5, 4, 3
    for name, dtype, e, version, base, mod, slope, inter, opt in FIXTURES:
        nt = opt.get("nt", 1)
        shape = (nx, ny, nz, nt)
        code = NAMES[dtype]
        raw = pattern(shape, base, mod)
        pixdim = [1.0, 0.8, 0.9, 1.5, opt.get("pixdim4", 1.0), 1, 1, 1]
        kw = dict(endian=e, version=version, slope=slope, inter=inter, pixdim=pixdim, xyzt=opt.get("xyzt", 2),
                  pair=opt.get("pair", False), gz=opt.get("gz", False), descrip="python " + name)
        if opt.get("oblique"):
            # qform: 30 degrees about z, qfac -1; sform: a different, sheared affine
            ang = math.radians(30)
            kw.update(qcode=1, quatern=(0.0, 0.0, math.sin(ang / 2), -12.5, 7.25, 30.0), scode=0)
            pixdim[0] = -1.0
        else:
            kw.update(qcode=1, quatern=(0, 0, 0, -2.0, -1.5, -3.0), scode=2,
                      srow=[[0.8, 0, 0, -2.0], [0, 0.9, 0, -1.5], [0, 0, 1.5, -3.0]])
        if dtype == "rgb24":
            arr = np.stack([raw % 256, (raw * 3) % 256, (raw * 7) % 256], axis=-1).astype(np.uint8)
        elif dtype == "uint64":
            arr = raw.astype(np.uint64) * np.uint64(1 << 40) + np.uint64(5)
        else:
            arr = raw
        write(os.path.join(d, name), arr, code, **kw)
        h, back = read(os.path.join(d, name))
        p = name + "."
        out[p + "datatype"] = code
        out[p + "shape"] = "%d,%d,%d,%d" % shape
        out[p + "base"] = base
        out[p + "modulus"] = mod
        out[p + "slope"] = repr(slope)
        out[p + "inter"] = repr(inter)
        out[p + "pixdim"] = nums(h["pixdim"])
        out[p + "xyzt_units"] = h["xyzt_units"]
        out[p + "qform_code"] = h["qform_code"]
        out[p + "sform_code"] = h["sform_code"]
        out[p + "qform_affine"] = nums(qform(h)[:3].ravel())
        out[p + "srow"] = nums([v for r in h["srow"] for v in r])
        if dtype != "rgb24":
            out[p + "sum"] = repr(float(np.asarray(back, dtype=np.float64).sum()))
    props(os.path.join(d, "fixtures.properties"), out)


def cmd_check():
    """Reads every file in medsynth_written/ and records what an independent reader sees."""
    d = os.path.join(RES, "medsynth_written")
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".img") or name.endswith(".properties"):
            continue
        h, a = read(os.path.join(d, name))
        p = name + "."
        out[p + "version"] = h["version"]
        out[p + "endian"] = "big" if h["endian"] == ">" else "little"
        out[p + "datatype"] = h["datatype"]
        out[p + "dim"] = ",".join(str(v) for v in h["dim"])
        out[p + "pixdim"] = nums(h["pixdim"])
        out[p + "xyzt_units"] = h["xyzt_units"]
        out[p + "scl"] = nums([h["scl_slope"], h["scl_inter"]])
        out[p + "qform_code"] = h["qform_code"]
        out[p + "sform_code"] = h["sform_code"]
        out[p + "qform_affine"] = nums(qform(h)[:3].ravel())
        out[p + "srow"] = nums([v for r in h["srow"] for v in r])
        if h["datatype"] == 128:
            flat = np.moveaxis(a, [0, 1, 2, 3, 4], [4, 3, 2, 1, 0]).reshape(-1, 3)  # voxels in file order
            out[p + "values"] = ",".join("%d/%d/%d" % tuple(v) for v in flat)
        else:
            out[p + "values"] = nums(np.asarray(a, dtype=np.float64).ravel(order="F"))
        out[p + "sha256"] = hashlib.sha256(open(os.path.join(d, name), "rb").read()).hexdigest()
    props(os.path.join(d, "python_check.properties"), out)


if __name__ == "__main__":
    {"brain": cmd_brain, "fixtures": cmd_fixtures, "check": cmd_check}[sys.argv[1]]()

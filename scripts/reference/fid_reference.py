#!/usr/bin/python3
"""Reference values for PleinAir's FID (issue 7), from PyTorch 1.13 and SciPy.

Run with Debian's torch: /usr/bin/python3 scripts/reference/fid_reference.py [--full-weights DIR]

Writes into Tests/PretrainedTests/Fixtures/fid/:
- inception_taps.safetensors: pytorch-fid's four pooled taps (64, 192, 768, 2048) for three images,
  from the network of fid_inception.py with *hash weights*: every parameter value is a fixed integer
  hash of (state-dict key, element index), a formula the Swift test reproduces bit for bit, so no
  95 MB weight file is committed and the test needs no Python. Images come from the same hash.
- tiny_zip.pth / tiny_legacy.pth: a small state dict (the first BasicConv2d, its int64
  num_batches_tracked, a transposed view and an offset slice of one storage) saved by torch.save in
  the zip format and in the legacy pre-1.6 format, to test the checkpoint reader.
- frechet_*.safetensors: feature samples (float64) and pytorch-fid's calculate_frechet_distance
  (scipy.linalg.sqrtm) for a random, an activation-like and a rank-deficient case.
With --full-weights DIR it also writes the whole hash-weight state dict as DIR/fid_hash.pth and
DIR/fid_hash.safetensors (about 95 MB each, never committed); the Swift golden test loads them
when PLEINAIR_FID_WEIGHTS_DIR=DIR is set.
"""
import argparse
import collections
import json
import os
import struct
import sys

import numpy as np
import scipy.linalg
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fid_inception import FIDInceptionV3  # noqa: E402

M32 = 0xFFFFFFFF


def fnv1a(text):
    h = 0x811C9DC5
    for b in text.encode():
        h = ((h ^ b) * 0x01000193) & M32
    return h


def hash_u32(count, seed):
    """uint32 hash of indices 0..count-1 under `seed` (mirrored by HashWeights.swift)."""
    x = (np.arange(count, dtype=np.uint64) * np.uint64(0x9E3779B1) + np.uint64(seed)) & np.uint64(M32)
    for _ in range(2):
        x ^= x >> np.uint64(16)
        x = (x * np.uint64(0x45D9F3B)) & np.uint64(M32)
    x ^= x >> np.uint64(16)
    return x


def hash_uniform(count, seed, offset, scale):
    u = hash_u32(count, seed).astype(np.float64) / 4294967296.0
    return (offset + scale * (2.0 * u - 1.0)).astype(np.float32)


def hash_value_range(key, shape):
    """(offset, scale) of the uniform hash value for a parameter (mirrored by HashWeights.swift)."""
    if key.endswith("conv.weight"):
        fan_in = int(np.prod(shape[1:]))
        return 0.0, float(np.sqrt(6.0 / fan_in))
    if key.endswith("bn.weight"):
        return 1.0, 0.2
    if key.endswith("bn.running_var"):
        return 1.0, 0.5
    if key == "fc.weight":
        return 0.0, 1.0 / np.sqrt(2048.0)
    return 0.0, 0.2  # bn.bias, bn.running_mean, fc.bias


def hash_state_dict(model):
    sd = model.state_dict()
    for key, t in sd.items():
        if key.endswith("num_batches_tracked"):
            continue
        offset, scale = hash_value_range(key, tuple(t.shape))
        t.copy_(torch.from_numpy(hash_uniform(t.numel(), fnv1a(key), offset, scale).reshape(tuple(t.shape))))
    return sd


def hash_image(k, height, width):
    """8-bit RGB image k as [3, H, W] floats 0...255."""
    v = hash_u32(3 * height * width, fnv1a(f"image{k}")) % np.uint64(256)
    return v.astype(np.float32).reshape(3, height, width)


IMAGE_SIZES = [(37, 45), (64, 64), (310, 302)]


def write_safetensors(path, tensors, dtype="F32", metadata=None):
    np_dtype = {"F32": "<f4", "F64": "<f8"}[dtype]
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        arr = np.ascontiguousarray(np.asarray(tensors[name]), dtype=np_dtype)
        raw = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def frechet_scipy(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance, verbatim in substance."""
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    offset_used = 0.0
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
        offset_used = 1.0
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component {}".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean), offset_used


def frechet_eigh(mu1, sigma1, mu2, sigma2):
    """The same distance through symmetric eigendecompositions (an independent check of the SciPy value)."""
    lam, v = np.linalg.eigh(sigma1)
    root = (v * np.sqrt(np.clip(lam, 0, None))) @ v.T
    mu = np.linalg.eigvalsh(root @ sigma2 @ root)
    diff = mu1 - mu2
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.sqrt(np.clip(mu, 0, None)).sum()


def frechet_case(path, x1, x2):
    mu1, mu2 = x1.mean(axis=0), x2.mean(axis=0)
    s1, s2 = np.cov(x1, rowvar=False), np.cov(x2, rowvar=False)
    fid, offset_used = frechet_scipy(mu1, s1, mu2, s2)
    tensors = {"features1": x1, "features2": x2, "fid_scipy": np.array([fid]), "fid_eigh": np.array([frechet_eigh(mu1, s1, mu2, s2)]),
               "offset_used": np.array([offset_used])}
    if x1.shape[1] <= 32:
        tensors.update({"mu1": mu1, "sigma1": s1, "mu2": mu2, "sigma2": s2})
    write_safetensors(path, tensors, dtype="F64")
    print(f"{os.path.basename(path)}: dims {x1.shape[1]}, samples {x1.shape[0]}/{x2.shape[0]}, "
          f"scipy {fid:.12g}, eigh {tensors['fid_eigh'][0]:.12g}, offset {offset_used}")


def frechet_fixtures(out):
    rng = np.random.default_rng(7)
    # Random: two full-rank Gaussians with different means and correlations.
    d = 24
    a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    frechet_case(os.path.join(out, "frechet_random.safetensors"),
                 rng.normal(size=(400, d)) @ a, rng.normal(size=(300, d)) @ b + 0.5)
    # Activation-like: non-negative, heavy-tailed, strongly correlated pooled ReLU features.
    d, k = 128, 32
    mix = np.abs(rng.normal(size=(k, d)))
    def acts(n, shift):
        z = rng.standard_t(4, size=(n, k)) + shift
        return np.maximum(z @ mix / np.sqrt(k) + rng.normal(scale=0.1, size=(n, d)), 0)
    frechet_case(os.path.join(out, "frechet_activations.safetensors"), acts(300, 0.0), acts(260, 0.2))
    # Rank-deficient: fewer samples than dimensions, as FID at 2048 dims on a few hundred images.
    d = 256
    frechet_case(os.path.join(out, "frechet_rank_deficient.safetensors"),
                 np.maximum(rng.normal(size=(90, d)), 0), np.maximum(rng.normal(size=(70, d)) + 0.1, 0))


def tiny_state_dict(sd):
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
    tiny = collections.OrderedDict()
    for key in ("Conv2d_1a_3x3.conv.weight", "Conv2d_1a_3x3.bn.weight", "Conv2d_1a_3x3.bn.bias",
                "Conv2d_1a_3x3.bn.running_mean", "Conv2d_1a_3x3.bn.running_var"):
        tiny[key] = sd[key].clone()
    tiny["Conv2d_1a_3x3.bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
    tiny["views.transposed"] = base.t()          # stride (1, 6): a non-contiguous view
    tiny["views.slice"] = base[1:3, 2:5]          # storage offset 8, stride (6, 1)
    tiny["views.scalar"] = torch.tensor(2.5)
    return tiny


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full-weights", help="also write the whole hash-weight state dict (.pth and .safetensors) here")
    parser.add_argument("--weights-only", action="store_true",
                        help="write only the --full-weights files, leaving the committed fixtures alone (scripts/test.sh)")
    args = parser.parse_args()
    if args.weights_only and not args.full_weights:
        parser.error("--weights-only needs --full-weights DIR")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = os.path.join(root, "Tests", "PretrainedTests", "Fixtures", "fid")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)

    model = FIDInceptionV3().eval()
    sd = hash_state_dict(model)
    if args.weights_only:
        write_full_weights(sd, args.full_weights)
        return
    taps = {}
    with torch.no_grad():
        for k, (h, w) in enumerate(IMAGE_SIZES):
            x01 = torch.from_numpy(hash_image(k, h, w))[None] / 255.0
            for dim, feats in model(x01).items():
                taps.setdefault(dim, []).append(feats[0].numpy())
    write_safetensors(os.path.join(out, "inception_taps.safetensors"),
                      {f"tap{dim}": np.stack(v) for dim, v in taps.items()},
                      metadata={"image_sizes": json.dumps(IMAGE_SIZES)})
    for dim, v in taps.items():
        print(f"tap {dim}: mean {np.mean(v):.5g}, max {np.max(v):.5g}")

    tiny = tiny_state_dict(sd)
    torch.save(tiny, os.path.join(out, "tiny_zip.pth"))
    torch.save(tiny, os.path.join(out, "tiny_legacy.pth"), _use_new_zipfile_serialization=False)

    frechet_fixtures(out)

    if args.full_weights:
        write_full_weights(sd, args.full_weights)


def write_full_weights(sd, folder):
    """The whole hash-weight state dict as torch writes it (.pth, zip format) and as safetensors."""
    os.makedirs(folder, exist_ok=True)
    torch.save(sd, os.path.join(folder, "fid_hash.pth"))
    write_safetensors(os.path.join(folder, "fid_hash.safetensors"),
                      {k: v.numpy() for k, v in sd.items() if not k.endswith("num_batches_tracked")})
    print(f"full hash-weight state dict written to {folder}")


if __name__ == "__main__":
    main()

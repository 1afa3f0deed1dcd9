#!/usr/bin/python3
"""SciPy baseline for PleinAir's Fréchet distance: pytorch-fid's calculate_frechet_distance
(scipy.linalg.sqrtm of the covariance product) on statistics PleinAir wrote.

Run: /usr/bin/python3 benchmarks/scipy_frechet.py STATS.safetensors
(F64 entries mu1, sigma1, mu2, sigma2). Prints `scipy_seconds=<fastest> scipy_fid=<value>`.
"""
import json
import struct
import sys
import time

import numpy as np
import scipy.linalg


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(body[a:b], dtype="<f8").reshape(v["shape"])
    return out


def frechet(mu1, sigma1, mu2, sigma2, eps=1e-6):
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)


def main():
    t = read_safetensors(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = frechet(t["mu1"], t["sigma1"], t["mu2"], t["sigma2"])
        times.append(time.perf_counter() - start)
    print(f"scipy_seconds={min(times):.3f} scipy_fid={value:.12g}")


if __name__ == "__main__":
    main()

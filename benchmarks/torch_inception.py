#!/usr/bin/python3
"""PyTorch baseline for PleinAir's FID feature extraction: pytorch-fid's Inception-v3
(scripts/reference/fid_inception.py: torchvision's Inception3 layers with the FID blocks, written
out because Debian ships torch without torchvision; the same convolutions as torchvision's
inception_v3, only the pool branches differ) on 299x299 batches, all four taps, no grad.

Run with Debian's torch: /usr/bin/python3 benchmarks/torch_inception.py --threads 2 --batch 8
Prints one line the Swift runner parses: `torch_images_per_s=<best> torch_batch_ms=<fastest> threads=<n>`.
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "reference"))
from fid_inception import FIDInceptionV3  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = FIDInceptionV3().eval()
    x = torch.rand(args.batch, 3, 299, 299)
    times = []
    with torch.no_grad():
        model(x)  # warm-up: oneDNN picks its kernels on the first call
        for _ in range(args.runs):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    best = min(times)
    print(f"torch_images_per_s={args.batch / best:.3f} torch_batch_ms={best * 1000:.1f} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()

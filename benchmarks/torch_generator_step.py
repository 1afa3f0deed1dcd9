#!/usr/bin/python3
"""PyTorch baseline for PleinAir's engine benchmark: one CycleGAN generator training step
(forward + backward + Adam) at ngf 32, 6 residual blocks, 128x128, batch 1.

Run with Debian's torch: /usr/bin/python3 benchmarks/torch_generator_step.py --threads 2
Prints one line the Swift runner parses:
`torch_step_ms=<fastest> torch_median_ms=<median> torch_forward_ms=<fastest no-grad forward> peak_rss_mb=<MiB>`
(the fastest step is the figure least disturbed by other work on a shared machine).
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "reference"))
from engine_cyclegan import ResnetGenerator  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    g = ResnetGenerator(3, 3, ngf=32, n_blocks=6)
    opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    x = torch.rand(1, 3, args.size, args.size) * 2 - 1
    target = torch.rand(1, 3, args.size, args.size) * 2 - 1

    def step():
        opt.zero_grad()
        F.l1_loss(g(x), target).backward()
        opt.step()

    for _ in range(3):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    with torch.no_grad():
        forward = []
        for _ in range(args.steps):
            start = time.perf_counter()
            g(x)
            forward.append((time.perf_counter() - start) * 1000)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so it would report the parent's peak.
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    print(f"torch_step_ms={times[0]:.2f} torch_median_ms={times[len(times) // 2]:.2f} "
          f"torch_forward_ms={min(forward):.2f} "
          f"peak_rss_mb={peak:.1f} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()

"""How many bank rows the exact scan's bf16 pre-screen keeps (docs/memory-banks.md, "Exact search in
bf16 first"), simulated in NumPy on a built bank: 300 of its patches a scale are held back as queries,
each pair's distance is computed in float32 and from bf16-rounded values, and a row is kept when the
lower end of its interval (approximate − bound) is within the 5th smallest upper end.

    python3 benchmarks/prescreen_survivors.py WORKSPACE/artifacts/cache/<memory_bank hash>/bank
"""
import sys

import numpy as np


def bf16(x):
    """float32 -> bf16 -> float32, to nearest with ties to even (the kernel's rounding)."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return rounded.astype(np.uint32).view(np.float32)


def main(folder):
    rng = np.random.default_rng(0)
    for scale in ["p4s4", "p8s5", "p16s6"]:
        rows = np.load(f"{folder}/{scale}.00000.npy").astype(np.float32) * np.float32(2 / 255) - 1
        m, d = rows.shape
        held = rng.choice(m, 300, replace=False)
        keep = np.ones(m, bool)
        keep[held] = False
        q, x = rows[held], rows[keep]
        qn, xn = (q * q).sum(1), (x * x).sum(1)
        approximate = qn[:, None] + xn[None, :] - 2 * (bf16(q) @ bf16(x).T)
        gamma = d * 2.0**-24 / (1 - d * 2.0**-24)
        product = 1.01 * (2.0**-6 + 2.0**-15 + 4.2 * gamma)
        bound = product * np.sqrt(qn)[:, None] * np.sqrt(xn)[None, :] + 2.0**-19 * (qn[:, None] + xn[None, :]) + 1e-29
        tau = np.sort(np.maximum(0, approximate + bound), 1)[:, 4]
        kept = ((approximate - bound) <= tau[:, None]).sum(1)
        print(f"{scale}: bank {x.shape[0]} rows of {d}; kept per query: mean {kept.mean():.1f}, median {int(np.median(kept))}, "
              f"max {kept.max()} ({100 * kept.mean() / x.shape[0]:.2f}% of the bank)")


if __name__ == "__main__":
    main(sys.argv[1])

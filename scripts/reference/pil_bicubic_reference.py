#!/usr/bin/python3
"""Writes the fixtures of PILBicubicResampler's tests: 20 images of different sizes resized with
Pillow's BICUBIC up, down and mixed, as 8-bit RGB (Image.resize on an RGB image) and per channel as
float mode 'F' (what clean-fid resizes), so the Swift resampler is checked against Pillow itself.

Run with Debian's interpreter (python3-pil, numpy): /usr/bin/python3 scripts/reference/pil_bicubic_reference.py
Outputs Tests/ImagingTests/Fixtures/pil_bicubic/: per case the source (uint8 HWC RGB), the float
planes fed to mode 'F' (float32 CHW: the source plus a fractional offset, so non-integer values are
covered too), Pillow's 8-bit result (uint8 HWC) and its float result (float32 CHW), all raw
little-endian, and manifest.json. Deterministic.
"""
import json
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "ImagingTests", "Fixtures", "pil_bicubic")
rng = np.random.RandomState(20261206)

# (source width, height) -> (target width, height): down, up, one axis only, and mixed.
CASES = [
    ((37, 23), (16, 11)), ((64, 64), (17, 17)), ((100, 40), (33, 13)), ((121, 57), (40, 19)),
    ((70, 50), (7, 9)), ((50, 73), (49, 72)), ((256, 12), (31, 30)), ((45, 45), (44, 12)),
    ((5, 7), (31, 29)), ((12, 9), (50, 40)), ((1, 4), (6, 9)), ((16, 16), (47, 47)),
    ((3, 3), (8, 5)), ((20, 11), (21, 40)), ((30, 60), (60, 30)), ((77, 13), (20, 50)),
    ((8, 200), (40, 25)), ((41, 41), (41, 20)), ((33, 47), (70, 47)), ((40, 30), (96, 72)),
]


def source(w, h, index):
    """Smooth structure plus noise, and on every other image hard edges (bicubic overshoots there,
    so clipping is exercised)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(3):
        a, b, p = rng.uniform(0.05, 0.6), rng.uniform(0.05, 0.6), rng.uniform(0, 6)
        v = 127 + 100 * np.sin(a * x + p) * np.cos(b * y - p) + rng.normal(0, 25, (h, w))
        if index % 2:
            v = np.where(((x // 3 + y // 2) % 2) == 0, 0.0, 255.0) if c == index % 3 else v
        planes.append(v)
    return np.clip(np.stack(planes, -1), 0, 255).round().astype(np.uint8)


def save(name, array):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(np.ascontiguousarray(array).tobytes())


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {"pillow": Image.__version__, "numpy": np.__version__, "cases": []}
    for index, ((w, h), (tw, th)) in enumerate(CASES):
        rgb = source(w, h, index)
        stem = f"case{index:02d}"
        save(stem + "_source.u8", rgb)
        save(stem + "_rgb.u8", np.asarray(Image.fromarray(rgb, "RGB").resize((tw, th), Image.BICUBIC)))
        floats = (rgb.astype(np.float32) + rng.uniform(-0.5, 0.5, rgb.shape).astype(np.float32)).transpose(2, 0, 1)
        floats = np.ascontiguousarray(floats, dtype=np.float32)
        save(stem + "_planes.f32", floats.astype("<f4"))
        resized = [np.asarray(Image.fromarray(floats[c], mode="F").resize((tw, th), Image.BICUBIC), dtype=np.float32)
                   for c in range(3)]
        save(stem + "_float.f32", np.stack(resized).astype("<f4"))
        manifest["cases"].append({"name": stem, "width": w, "height": h, "to_width": tw, "to_height": th})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()

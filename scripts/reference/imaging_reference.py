#!/usr/bin/python3
"""Writes the Imaging reference fixtures: small source images and what Pillow decodes and resizes
them to, so the Swift decoders and resizers are checked against an independent implementation.

Run with Debian's interpreter (python3-pil and numpy): /usr/bin/python3 scripts/reference/imaging_reference.py
Outputs Tests/ImagingTests/Fixtures/reference/: source files, expected samples as raw little-endian
arrays (uint8 or uint16, HWC), and manifest.json describing every case. Deterministic.
"""
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "ImagingTests", "Fixtures", "reference")
rng = np.random.RandomState(20261125)
manifest = {"pillow": Image.__version__, "numpy": np.__version__, "decode": [], "resize": [], "ssim": []}


def smooth_rgb(h, w, channels=3):
    """Smooth structure plus noise, so rounding differences between resamplers would show."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        a, b, p = rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0, 6)
        v = 127 + 90 * np.sin(a * x + p) * np.cos(b * y - p) + rng.normal(0, 18, (h, w))
        planes.append(v)
    return np.clip(np.stack(planes, -1), 0, 255).round().astype(np.uint8)


def save_raw(name, array):
    array = np.ascontiguousarray(array)
    if array.dtype == np.uint16:
        array = array.astype("<u2")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(array.tobytes())


def shape_of(array):
    h, w = array.shape[:2]
    return {"width": w, "height": h, "channels": 1 if array.ndim == 2 else array.shape[2],
            "depth": 16 if array.dtype == np.uint16 else 8}


def add_decode(file, expected):
    raw = file + ".raw"
    save_raw(raw, expected)
    manifest["decode"].append(dict(file=file, raw=raw, **shape_of(expected)))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png_raw(path, array, depth=16, extra=b""):
    """Pillow cannot write 16-bit RGB PNGs or add gamma chunks, so build the file by hand (filter 0
    on every row); `extra` is inserted before IDAT (e.g. a gAMA chunk)."""
    h, w = array.shape[:2]
    channels = 1 if array.ndim == 2 else array.shape[2]
    dtype = ">u2" if depth == 16 else "u1"
    rows = b"".join(b"\x00" + array[y].astype(dtype).tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, depth, {1: 0, 3: 2}[channels], 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra + png_chunk(b"IDAT", zlib.compress(rows, 9)) + png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = smooth_rgb(23, 37)
    Image.fromarray(rgb, "RGB").save(os.path.join(OUT, "rgb8.png"))
    add_decode("rgb8.png", np.asarray(Image.open(os.path.join(OUT, "rgb8.png"))))

    gray = smooth_rgb(19, 26, 1)[..., 0]
    Image.fromarray(gray, "L").save(os.path.join(OUT, "gray8.png"))
    add_decode("gray8.png", np.asarray(Image.open(os.path.join(OUT, "gray8.png"))))

    rgba = np.concatenate([smooth_rgb(11, 14), rng.randint(0, 256, (11, 14, 1)).astype(np.uint8)], -1)
    Image.fromarray(rgba, "RGBA").save(os.path.join(OUT, "rgba8.png"))
    add_decode("rgba8.png", np.asarray(Image.open(os.path.join(OUT, "rgba8.png"))))

    la = np.stack([smooth_rgb(9, 10, 1)[..., 0], rng.randint(0, 256, (9, 10)).astype(np.uint8)], -1)
    Image.fromarray(la, "LA").save(os.path.join(OUT, "gray_alpha8.png"))
    add_decode("gray_alpha8.png", np.asarray(Image.open(os.path.join(OUT, "gray_alpha8.png"))))

    palette_image = Image.fromarray(smooth_rgb(15, 21), "RGB").quantize(colors=16)
    palette_image.save(os.path.join(OUT, "palette.png"))
    add_decode("palette.png", np.asarray(Image.open(os.path.join(OUT, "palette.png")).convert("RGB")))

    palette_image.save(os.path.join(OUT, "palette_transparent.png"), transparency=3)
    add_decode("palette_transparent.png", np.asarray(Image.open(os.path.join(OUT, "palette_transparent.png")).convert("RGBA")))

    gray16 = rng.randint(0, 65536, (7, 12)).astype(np.uint16)
    Image.fromarray(gray16.astype(np.uint16), "I;16").save(os.path.join(OUT, "gray16.png"))
    add_decode("gray16.png", np.asarray(Image.open(os.path.join(OUT, "gray16.png"))).astype(np.uint16))

    rgb16 = rng.randint(0, 65536, (6, 9, 3)).astype(np.uint16)
    write_png_raw(os.path.join(OUT, "rgb16.png"), rgb16)
    add_decode("rgb16.png", rgb16)

    # Colour-tagged files: Pillow returns the stored samples and ignores the tags; so must we.
    srgb_gamma = png_chunk(b"gAMA", struct.pack(">I", 45455))
    linear_gamma = png_chunk(b"gAMA", struct.pack(">I", 100000))
    tagged16 = rng.randint(0, 65536, (5, 8, 3)).astype(np.uint16)
    write_png_raw(os.path.join(OUT, "rgb16_gamma.png"), tagged16, extra=srgb_gamma + png_chunk(b"sRGB", b"\x00"))
    add_decode("rgb16_gamma.png", np.asarray(tagged16))
    tagged8 = smooth_rgb(6, 7, 1)[..., 0]
    write_png_raw(os.path.join(OUT, "gray8_linear_gamma.png"), tagged8, depth=8, extra=linear_gamma)
    add_decode("gray8_linear_gamma.png", np.asarray(Image.open(os.path.join(OUT, "gray8_linear_gamma.png"))))

    Image.fromarray(smooth_rgb(24, 40), "RGB").save(os.path.join(OUT, "photo_q90.jpg"), quality=90)
    add_decode("photo_q90.jpg", np.asarray(Image.open(os.path.join(OUT, "photo_q90.jpg")).convert("RGB")))

    Image.fromarray(smooth_rgb(16, 16, 1)[..., 0], "L").save(os.path.join(OUT, "gray_q85.jpg"), quality=85)
    add_decode("gray_q85.jpg", np.asarray(Image.open(os.path.join(OUT, "gray_q85.jpg"))))

    # Pillow 4:2:0 subsampled JPEG (its default): exercises fancy upsampling.
    Image.fromarray(smooth_rgb(17, 29), "RGB").save(os.path.join(OUT, "subsampled_q75.jpg"), quality=75, subsampling=2)
    add_decode("subsampled_q75.jpg", np.asarray(Image.open(os.path.join(OUT, "subsampled_q75.jpg")).convert("RGB")))

    filters = {"bilinear": Image.BILINEAR, "area": Image.BOX}
    for source in ["rgb8.png", "gray8.png"]:
        im = Image.open(os.path.join(OUT, source))
        for (w, h) in [(16, 10), (9, 5), (50, 31), (37, 12)]:
            for name, flt in filters.items():
                out = np.asarray(im.resize((w, h), flt))
                raw = "resize_%s_%s_%dx%d.raw" % (source.split(".")[0], name, w, h)
                save_raw(raw, out)
                manifest["resize"].append(dict(source=source, filter=name, raw=raw, **shape_of(out)))

    # SSIM reference: the Wang et al. (2004) definition written out in numpy — 11x11 Gaussian window
    # (sigma 1.5), K1 0.01, K2 0.03, L 255, 'valid' windows only, mean over windows, per channel then
    # averaged. PSNR over all samples with peak 255.
    a = smooth_rgb(32, 32)
    noisy = np.clip(a.astype(np.float64) + rng.normal(0, 12, a.shape), 0, 255).round().astype(np.uint8)
    Image.fromarray(a, "RGB").save(os.path.join(OUT, "ssim_a.png"))
    Image.fromarray(noisy, "RGB").save(os.path.join(OUT, "ssim_b.png"))
    manifest["ssim"].append({"a": "ssim_a.png", "b": "ssim_b.png", "ssim": ssim(a, noisy), "psnr": psnr(a, noisy)})

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)


def gaussian_window(size=11, sigma=1.5):
    g = np.exp(-((np.arange(size) - size // 2) ** 2) / (2 * sigma * sigma))
    g /= g.sum()
    return np.outer(g, g)


def filter_valid(image, window):
    k = window.shape[0]
    h, w = image.shape
    out = np.zeros((h - k + 1, w - k + 1))
    for dy in range(k):
        for dx in range(k):
            out += window[dy, dx] * image[dy:dy + h - k + 1, dx:dx + w - k + 1]
    return out


def ssim(a, b):
    window = gaussian_window()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    values = []
    for c in range(a.shape[2]):
        x, y = a[..., c].astype(np.float64), b[..., c].astype(np.float64)
        mx, my = filter_valid(x, window), filter_valid(y, window)
        sxx = filter_valid(x * x, window) - mx * mx
        syy = filter_valid(y * y, window) - my * my
        sxy = filter_valid(x * y, window) - mx * my
        m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
        values.append(m.mean())
    return float(np.mean(values))


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / mse))


if __name__ == "__main__":
    main()

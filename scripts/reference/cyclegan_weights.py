#!/usr/bin/python3
"""Weights move between PleinAir and PyTorch with the same state-dict keys (issue 6).

Run from the repository root with Debian's torch (/usr/bin/python3):

    /usr/bin/python3 scripts/reference/cyclegan_weights.py check MODEL_DIR [IMAGE_DIR OUT_DIR]
        Loads G_A/G_B/D_A/D_B.safetensors written by PleinAir's `train` stage into the junyanz
        architecture (scripts/reference/engine_cyclegan.py) with load_state_dict(strict=True),
        sizes inferred from the tensors; prints one line per network. With IMAGE_DIR, also
        translates every PNG there with G_A (reflection-padded to a multiple of 4, as `translate`)
        and reports the largest difference from PleinAir's PNG of the same name in OUT_DIR.

    /usr/bin/python3 scripts/reference/cyclegan_weights.py fixture
        Writes Tests/CycleGANTests/Fixtures/torch_model/{G_A,G_B,D_A,D_B}.safetensors from PyTorch
        networks (ngf 4, 1 block, ndf 4) and torch_probe.safetensors (an input and G_A's output),
        which the Swift tests load: the reverse direction.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from engine_cyclegan import NLayerDiscriminator, ResnetGenerator  # noqa: E402
from engine_reference import write_safetensors  # noqa: E402

torch.set_num_threads(1)


def read_safetensors(path):
    """{name: float32 tensor} from a safetensors file (F32 only: what PleinAir writes)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{path}: {name} is {entry['dtype']}"
        a, b = entry["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[a:b], dtype="<f4").reshape(entry["shape"]).copy())
    return out


def generator_for(state):
    ngf = state["model.1.weight"].shape[0]
    blocks = len({k.split(".")[1] for k in state if ".conv_block." in k})
    return ResnetGenerator(3, 3, ngf=ngf, n_blocks=blocks), f"ngf {ngf}, {blocks} blocks"


def discriminator_for(state):
    convs = sorted(int(k.split(".")[1]) for k in state if k.endswith(".weight") and state[k].dim() == 4)
    ndf = state["model.0.weight"].shape[0]
    return NLayerDiscriminator(3, ndf=ndf, n_layers=len(convs) - 2), f"ndf {ndf}, {len(convs) - 2} layers"


def translate(g, x):
    h, w = x.shape[2], x.shape[3]
    ph, pw = (4 - h % 4) % 4, (4 - w % 4) % 4
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="reflect")
    with torch.no_grad():
        return g(x)[:, :, :h, :w]


def check(model_dir, image_dir=None, out_dir=None):
    nets = {}
    for name in ["G_A", "G_B", "D_A", "D_B"]:
        state = read_safetensors(os.path.join(model_dir, f"{name}.safetensors"))
        net, sizes = (generator_for if name.startswith("G") else discriminator_for)(state)
        net.load_state_dict(state, strict=True)
        nets[name] = net
        print(f"{name}: {len(state)} tensors load strictly into junyanz {type(net).__name__} ({sizes})")
    if image_dir:
        from PIL import Image  # noqa: only needed for the image comparison
        worst = 0
        for file in sorted(os.listdir(image_dir)):
            if not file.endswith(".png"):
                continue
            rgb = np.asarray(Image.open(os.path.join(image_dir, file)).convert("RGB"), dtype=np.float32)
            x = torch.from_numpy(rgb / 255 * 2 - 1).permute(2, 0, 1)[None]
            y = translate(nets["G_A"], x)[0].permute(1, 2, 0).clamp(-1, 1).numpy()
            ours = np.asarray(Image.open(os.path.join(out_dir, file)).convert("RGB"), dtype=np.float32)
            worst = max(worst, float(np.abs((y + 1) / 2 * 255 - ours).max()))
        print(f"G_A on {image_dir}: largest difference from PleinAir's PNGs {worst:.2f} of 255")


def fixture():
    out = os.path.join(ROOT, "Tests", "CycleGANTests", "Fixtures")
    model = os.path.join(out, "torch_model")
    os.makedirs(model, exist_ok=True)
    torch.manual_seed(6)
    nets = {"G_A": ResnetGenerator(3, 3, ngf=4, n_blocks=1), "G_B": ResnetGenerator(3, 3, ngf=4, n_blocks=1),
            "D_A": NLayerDiscriminator(3, ndf=4, n_layers=3), "D_B": NLayerDiscriminator(3, ndf=4, n_layers=3)}
    for name, net in nets.items():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.2)
                nn.init.normal_(m.bias, 0.0, 0.2)
        write_safetensors(os.path.join(model, f"{name}.safetensors"),
                          {k: v.detach().numpy() for k, v in net.state_dict().items()})
    x = torch.rand(1, 3, 22, 30) * 2 - 1
    write_safetensors(os.path.join(out, "torch_probe.safetensors"),
                      {"input": x.numpy(), "G_A": translate(nets["G_A"], x).numpy()})
    print(f"wrote {model} and torch_probe.safetensors")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(*sys.argv[2:5])
    elif sys.argv[1:] == ["fixture"]:
        fixture()
    else:
        sys.exit(__doc__)

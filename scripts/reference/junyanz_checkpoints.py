#!/usr/bin/python3
"""Released generator checkpoints in and PleinAir models out, against PyTorch itself (issue 21).

Run from the repository root with Debian's torch (/usr/bin/python3):

    /usr/bin/python3 scripts/reference/junyanz_checkpoints.py fixture
        Writes Tests/CycleGANTests/Fixtures/junyanz/: junyanz ResnetGenerator state dicts (ngf 4,
        1 block) saved by torch.save in the zip and the legacy format, with and without the
        InstanceNorm running statistics of PyTorch < 0.4 and DataParallel's `module.` prefix, with
        the key layout of a dropout generator, and broken ones (a missing key, a misshapen key, an
        unexpected key); plus probe.safetensors: an input and PyTorch's G_A and G_B outputs.

    /usr/bin/python3 scripts/reference/junyanz_checkpoints.py check-export FOLDER [PROBE]
        Loads FOLDER/latest_net_G_A.pth, latest_net_G_B.pth (and latest_net_D_A/D_B.pth when present),
        written by PleinAir's export, with torch.load and load_state_dict(strict=True) into the
        junyanz networks (sizes read from the shapes); prints one line per network. With PROBE (a
        safetensors file with `input` and `G_A`), also reports the largest difference between
        PyTorch's G_A output and PleinAir's.

    /usr/bin/python3 scripts/reference/junyanz_checkpoints.py zoo OUT
        Writes a full-size zoo-layout generator (ngf 64, 9 blocks, junyanz's N(0, 0.02) init, legacy
        format, with the InstanceNorm buffers of PyTorch < 0.4) as OUT/monet2photo_pretrained/latest_net_G.pth,
        three 256x256 test pictures in OUT/images and PyTorch's outputs (0..255 floats) in OUT/torch.

    /usr/bin/python3 scripts/reference/junyanz_checkpoints.py compare OUT PLEINAIR_IMAGES
        The largest per-pixel difference (of 255) between PyTorch's outputs and PleinAir's PNGs.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from engine_cyclegan import NLayerDiscriminator, ResnetGenerator  # noqa: E402
from engine_reference import write_safetensors  # noqa: E402
from cyclegan_weights import read_safetensors  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(ROOT, "Tests", "CycleGANTests", "Fixtures", "junyanz")


def generator(seed):
    torch.manual_seed(seed)
    net = ResnetGenerator(3, 3, ngf=4, n_blocks=1)
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.2)
            nn.init.normal_(m.bias, 0.0, 0.2)
    return net.eval()


def instance_norm_paths(net):
    return [name for name, m in net.named_modules() if isinstance(m, nn.InstanceNorm2d)]


def with_old_instance_norm(state, net, tracked):
    """What PyTorch < 0.4 saved: InstanceNorm running statistics (and 0.4.0's counter when `tracked`)."""
    out = dict(state)
    for path in instance_norm_paths(net):
        c = net.get_submodule(path).num_features
        out[f"{path}.running_mean"] = torch.rand(c)
        out[f"{path}.running_var"] = torch.rand(c) + 0.5
        if tracked:
            out[f"{path}.num_batches_tracked"] = torch.tensor(7)
    return out


def with_module_prefix(state):
    return {"module." + k: v for k, v in state.items()}


def with_dropout_slots(state):
    """A junyanz generator built without --no_dropout: Dropout at conv_block.4 shifts later keys by one."""
    out = {}
    for k, v in state.items():
        parts = k.split(".")
        if len(parts) >= 5 and parts[2] == "conv_block" and int(parts[3]) >= 4:
            parts[3] = str(int(parts[3]) + 1)
        out[".".join(parts)] = v
    return out


def save(state, name, legacy, metadata=None):
    """torch.save of an OrderedDict carrying `_metadata`, as `net.state_dict()` does (a BUILD in the pickle)."""
    from collections import OrderedDict
    ordered = OrderedDict(sorted(state.items()))
    if metadata is not None:
        ordered._metadata = metadata
    torch.save(ordered, os.path.join(OUT, name), _use_new_zipfile_serialization=not legacy)


def fixture():
    os.makedirs(OUT, exist_ok=True)
    g_a, g_b = generator(21), generator(22)
    a, b = g_a.state_dict(), g_b.state_dict()
    # The plain ones exactly as junyanz's save_networks writes them: torch.save(net.state_dict()).
    torch.save(a, os.path.join(OUT, "G_A_zip.pth"))
    torch.save(a, os.path.join(OUT, "G_A_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(b, os.path.join(OUT, "G_B_zip.pth"))
    save(with_module_prefix(with_old_instance_norm(a, g_a, tracked=True)), "G_A_old_zip.pth", legacy=False, metadata=a._metadata)
    save(with_module_prefix(with_old_instance_norm(a, g_a, tracked=False)), "G_A_old_legacy.pth", legacy=True)
    save(with_dropout_slots(a), "G_A_dropout_zip.pth", legacy=False)
    missing = dict(a)
    del missing["model.10.conv_block.1.bias"]
    save(missing, "bad_missing.pth", legacy=False)
    misshapen = dict(a)
    misshapen["model.4.weight"] = torch.zeros(8, 4, 5, 5)
    save(misshapen, "bad_misshapen.pth", legacy=True)
    unexpected = dict(a)
    unexpected["model.1.running_mean"] = torch.zeros(4)  # on a convolution: not what junyanz drops
    save(unexpected, "bad_unexpected.pth", legacy=False)
    torch.manual_seed(23)
    x = torch.rand(1, 3, 20, 24) * 2 - 1
    with torch.no_grad():
        write_safetensors(os.path.join(OUT, "probe.safetensors"),
                          {"input": x.numpy(), "G_A": g_a(x).numpy(), "G_B": g_b(x).numpy()})
    print(f"wrote {OUT}")


def check_export(folder, probe=None):
    nets = {}
    for name in ["G_A", "G_B", "D_A", "D_B"]:
        path = os.path.join(folder, f"latest_net_{name}.pth")
        if name.startswith("D") and not os.path.exists(path):
            continue
        # weights_only: the restricted unpickler torch >= 2.6 uses by default must accept the file too.
        state = torch.load(path, map_location="cpu", weights_only=True)
        if name.startswith("G"):
            ngf = state["model.1.weight"].shape[0]
            blocks = len({k.split(".")[1] for k in state if ".conv_block." in k})
            net, sizes = ResnetGenerator(3, 3, ngf=ngf, n_blocks=blocks), f"ngf {ngf}, {blocks} blocks"
        else:
            convs = [k for k in state if k.endswith(".weight") and state[k].dim() == 4]
            ndf = state["model.0.weight"].shape[0]
            net, sizes = NLayerDiscriminator(3, ndf=ndf, n_layers=len(convs) - 2), f"ndf {ndf}, {len(convs) - 2} layers"
        net.load_state_dict(state, strict=True)
        nets[name] = net.eval()
        print(f"{name}: {len(state)} tensors load strictly into junyanz {type(net).__name__} ({sizes}) "
              f"from {type(state).__name__} (weights_only)")
    if probe:
        p = read_safetensors(probe)
        with torch.no_grad():
            y = nets["G_A"](p["input"])
        print(f"G_A on the probe: largest difference from PleinAir {float((y - p['G_A']).abs().max()):.3g}")


def zoo(out):
    import time
    from collections import OrderedDict
    from PIL import Image
    torch.set_num_threads(2)
    torch.manual_seed(5)
    g = ResnetGenerator(3, 3, ngf=64, n_blocks=9).eval()
    for m in g.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.normal_(m.bias, 0.0, 0.02)
    state = g.state_dict()  # keeps _metadata, as the zoo's files do
    for path in instance_norm_paths(g):
        c = g.get_submodule(path).num_features
        state[f"{path}.running_mean"], state[f"{path}.running_var"] = torch.zeros(c), torch.ones(c)
    os.makedirs(os.path.join(out, "monet2photo_pretrained"), exist_ok=True)
    torch.save(state, os.path.join(out, "monet2photo_pretrained", "latest_net_G.pth"), _use_new_zipfile_serialization=False)
    for sub in ["images", "torch"]:
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    rng = np.random.default_rng(1)
    for i in range(3):
        small = Image.fromarray((rng.random((8, 8, 3)) * 255).astype(np.uint8))
        img = np.asarray(small.resize((256, 256), Image.BICUBIC))
        Image.fromarray(img).save(os.path.join(out, "images", f"p{i}.png"))
        x = torch.from_numpy(img.astype(np.float32) / 255 * 2 - 1).permute(2, 0, 1)[None]
        start = time.time()
        with torch.no_grad():
            y = g(x)
        print(f"p{i}.png: PyTorch forward {time.time() - start:.2f} s (2 threads)")
        np.save(os.path.join(out, "torch", f"p{i}.npy"), (y[0].permute(1, 2, 0).clamp(-1, 1).numpy() + 1) / 2 * 255)


def compare(out, ours):
    from PIL import Image
    worst = 0.0
    for file in sorted(os.listdir(os.path.join(out, "torch"))):
        theirs = np.load(os.path.join(out, "torch", file))
        mine = np.asarray(Image.open(os.path.join(ours, file.replace(".npy", ".png"))).convert("RGB"), dtype=np.float32)
        worst = max(worst, float(np.abs(theirs - mine).max()))
    print(f"largest difference from PyTorch: {worst:.3f} of 255")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "zoo":
        zoo(sys.argv[2])
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if sys.argv[1:] == ["fixture"]:
        fixture()
    elif len(sys.argv) >= 3 and sys.argv[1] == "check-export":
        check_export(*sys.argv[2:4])
    else:
        sys.exit(__doc__)

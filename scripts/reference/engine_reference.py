#!/usr/bin/python3
"""Reference values for the Swift engine's golden tests, computed with PyTorch (Debian python3-torch).

Run from the repository root with /usr/bin/python3 (pyenv's python has no torch):
    /usr/bin/python3 scripts/reference/engine_reference.py
Writes small safetensors fixtures into Tests/{TensorTests,NNTests,CycleGANTests}/Fixtures. Every value
comes from fixed seeds, so rerunning it reproduces the committed files.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
torch.set_num_threads(1)


def write_safetensors(path, tensors, dtype="F32"):
    """Writes {name: array} as safetensors (sorted keys, 8-byte aligned data) without the safetensors package."""
    np_dtype = {"F32": "<f4", "F16": "<f2"}[dtype]
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(np.asarray(tensors[name]), dtype=np_dtype)
        raw = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def t(*shape, low=None):
    x = torch.randn(*shape)
    if low is not None:  # keep away from singular points (log, sqrt, div, abs at 0)
        x = x.abs() + low
    return x


def op_cases():
    """(name, inputs, function) triples; the Swift test mirrors each function by name."""
    return [
        ("add_broadcast", [t(2, 3, 4), t(3, 1)], lambda a, b: a + b),
        ("sub", [t(2, 3), t(2, 3)], lambda a, b: a - b),
        ("mul_broadcast", [t(2, 3, 4), t(1, 3, 1)], lambda a, b: a * b),
        ("div_broadcast", [t(2, 3), t(3, low=0.5)], lambda a, b: a / b),
        ("exp", [t(2, 5)], torch.exp),
        ("log", [t(2, 5, low=0.2)], torch.log),
        ("sqrt", [t(2, 5, low=0.2)], torch.sqrt),
        ("pow", [t(2, 5, low=0.2)], lambda a: a ** 2.5),
        ("abs", [t(2, 5)], torch.abs),
        ("tanh", [t(2, 5)], torch.tanh),
        ("sigmoid", [t(2, 5)], torch.sigmoid),
        ("relu", [t(2, 5)], torch.relu),
        ("leaky_relu", [t(2, 5)], lambda a: F.leaky_relu(a, 0.2)),
        ("sum_axis1", [t(2, 3, 4)], lambda a: a.sum(dim=1)),
        ("mean_axes02_keep", [t(2, 3, 4)], lambda a: a.mean(dim=(0, 2), keepdim=True)),
        ("sum_all", [t(2, 3, 4)], lambda a: a.sum().reshape(1)),
        ("matmul", [t(3, 4), t(4, 5)], torch.matmul),
        ("conv2d_s2_p1_bias", [t(2, 3, 7, 7), t(4, 3, 3, 3), t(4)],
         lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1)),
        ("conv2d_dilation2_p2", [t(1, 2, 8, 6), t(3, 2, 3, 3)],
         lambda x, w: F.conv2d(x, w, None, stride=1, padding=2, dilation=2)),
        ("conv2d_pointwise", [t(2, 4, 3, 5), t(3, 4, 1, 1), t(3)], lambda x, w, b: F.conv2d(x, w, b)),
        ("conv2d_k4_s2_p1", [t(1, 3, 9, 9), t(2, 3, 4, 4), t(2)],
         lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1)),
        ("conv2d_direct_unpadded", [t(2, 3, 9, 37), t(3, 3, 3, 5), t(3)], lambda x, w, b: F.conv2d(x, w, b)),
        ("conv_transpose2d_s2_op1", [t(2, 4, 4, 3), t(4, 3, 3, 3), t(3)],
         lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)),
        ("reflection_pad", [t(1, 2, 5, 6)], lambda x: F.pad(x, (1, 2, 3, 1), mode="reflect")),
        ("zero_pad", [t(1, 2, 5, 6)], lambda x: F.pad(x, (2, 1, 0, 3))),
        ("instance_norm", [t(2, 3, 5, 4)], lambda x: F.instance_norm(x)),
        ("instance_norm_affine", [t(2, 3, 5, 4), t(3), t(3)],
         lambda x, w, b: F.instance_norm(x, weight=w, bias=b)),
        ("batch_norm_eval", [t(2, 3, 4, 4), t(3), t(3)],
         lambda x, w, b: F.batch_norm(x, torch.tensor([0.1, -0.2, 0.3]), torch.tensor([0.5, 1.5, 2.0]),
                                      w, b, training=False)),
        ("max_pool", [t(2, 2, 7, 6)], lambda x: F.max_pool2d(x, 3, 2, 1)),
        ("avg_pool_include_pad", [t(2, 2, 7, 6)], lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=True)),
        ("avg_pool_exclude_pad", [t(2, 2, 7, 6)], lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)),
        ("adaptive_avg_pool", [t(1, 2, 7, 5)], lambda x: F.adaptive_avg_pool2d(x, (3, 2))),
        ("bilinear_up", [t(1, 2, 5, 7)], lambda x: F.interpolate(x, size=(8, 11), mode="bilinear", align_corners=False)),
        ("bilinear_down", [t(1, 2, 9, 7)], lambda x: F.interpolate(x, size=(4, 3), mode="bilinear", align_corners=False)),
        ("concat_axis1", [t(2, 2, 3), t(2, 1, 3)], lambda a, b: torch.cat([a, b], dim=1)),
        ("slice_axis2", [t(2, 3, 6)], lambda a: a[:, :, 1:4]),
        ("max_axis1", [t(2, 5, 3)], lambda a: a.max(dim=1).values),
        ("min_axis_last_keep", [t(3, 4)], lambda a: a.min(dim=-1, keepdim=True).values),
        ("softmax", [t(3, 6) * 3], lambda a: torch.softmax(a, dim=-1)),
        ("log_softmax_axis0", [t(4, 3) * 3], lambda a: torch.log_softmax(a, dim=0)),
        ("mse_loss", [t(2, 3), t(2, 3)], lambda a, b: F.mse_loss(a, b).reshape(1)),
        ("l1_loss", [t(2, 3), t(2, 3)], lambda a, b: F.l1_loss(a, b).reshape(1)),
        # Shapes PleinAir runs by Winograd F(2x2, 3x3): odd outputs (partial tiles), and Cout <= Cin so
        # the input gradient is a Winograd convolution too.
        ("conv2d_winograd_p1", [t(2, 8, 9, 7), t(16, 8, 3, 3) * 0.3, t(16)],
         lambda x, w, b: F.conv2d(x, w, b, padding=1)),
        ("conv2d_winograd_valid", [t(1, 16, 10, 11), t(16, 16, 3, 3) * 0.3], lambda x, w: F.conv2d(x, w)),
    ]


def op_fixtures():
    torch.manual_seed(0)
    out = {}
    for name, inputs, fn in op_cases():
        inputs = [x.clone().requires_grad_(True) for x in inputs]
        y = fn(*inputs)
        gout = torch.randn(y.shape)
        y.backward(gout)
        for i, x in enumerate(inputs):
            out[f"{name}.in{i}"] = x.detach().numpy()
            out[f"{name}.grad{i}"] = x.grad.numpy()
        out[f"{name}.out"] = y.detach().numpy()
        out[f"{name}.gout"] = gout.numpy()
    return out


def adam_fixtures():
    """Three Adam steps (β1 0.5) on a fixed quadratic."""
    torch.manual_seed(1)
    p = torch.randn(4, 3, requires_grad=True)
    target = torch.randn(4, 3)
    start = p.detach().clone()
    opt = torch.optim.Adam([p], lr=0.01, betas=(0.5, 0.999))
    for _ in range(3):
        opt.zero_grad()
        F.mse_loss(p, target).backward()
        opt.step()
    return {"adam.start": start.numpy(), "adam.target": target.numpy(), "adam.after3": p.detach().numpy()}


def network_fixtures(net, x):
    y = net(x)
    gout = torch.randn(y.shape)
    y.backward(gout)
    out = {f"weights.{k}": v.detach().numpy() for k, v in net.state_dict().items()}
    out.update({f"grad.{k}": p.grad.numpy() for k, p in net.named_parameters()})
    out["input"] = x.numpy()
    out["output"] = y.detach().numpy()
    out["gout"] = gout.numpy()
    return out


def main():
    tensor_dir = os.path.join(ROOT, "Tests/TensorTests/Fixtures")
    nn_dir = os.path.join(ROOT, "Tests/NNTests/Fixtures")
    cyclegan_dir = os.path.join(ROOT, "Tests/CycleGANTests/Fixtures")
    write_safetensors(os.path.join(tensor_dir, "ops.safetensors"), op_fixtures())
    write_safetensors(os.path.join(nn_dir, "adam.safetensors"), adam_fixtures())
    write_safetensors(os.path.join(nn_dir, "half.safetensors"),
                      {"h": np.array([[0.5, -2.0, 65504.0], [6.1035156e-05, 5.9604645e-08, 0.0]])}, dtype="F16")

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from engine_cyclegan import NLayerDiscriminator as Discriminator, ResnetGenerator as Generator
    torch.manual_seed(2)
    g = Generator(3, 3, ngf=8, n_blocks=2)
    for m in g.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.normal_(m.bias, 0.0, 0.02)  # nonzero so bias gradients are checked through norms too
    write_safetensors(os.path.join(cyclegan_dir, "generator.safetensors"),
                      network_fixtures(g, torch.rand(1, 3, 32, 32) * 2 - 1))
    torch.manual_seed(3)
    d = Discriminator(3, ndf=8, n_layers=3)
    for m in d.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.normal_(m.bias, 0.0, 0.02)
    write_safetensors(os.path.join(cyclegan_dir, "discriminator.safetensors"),
                      network_fixtures(d, torch.rand(2, 3, 32, 32) * 2 - 1))


if __name__ == "__main__":
    main()

"""Reference values for PleinAir's style-transfer baseline (Gatys et al. with VGG-19).

Builds torchvision's VGG-19 `features` layout by hand (torchvision is not installed here) with
the same seeded hash weights as VGG19Features.hashInitialized, runs a 32x32 painting and a style
image through it, and records per-layer activation checksums, the first Gram matrix, the loss
terms and the loss's gradient with respect to the image.

Run with Debian's interpreter (which has torch 1.13):
    /usr/bin/python3 scripts/reference/style_reference.py
It writes Tests/PretrainedTests/Fixtures/style/reference.safetensors.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from fid_reference import fnv1a, hash_image, hash_uniform, write_safetensors  # noqa: E402

CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
LAYERS = {"relu1_1": 1, "relu2_1": 6, "relu3_1": 11, "relu4_1": 20, "relu4_2": 22, "relu5_1": 29}
STYLE = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
CONTENT = "relu4_2"
CONTENT_WEIGHT, STYLE_WEIGHT = 1.0, 1000.0


def vgg19_features():
    layers, channels = [], 3
    for c in CFG:
        if c == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, c, 3, padding=1), nn.ReLU(inplace=False)]
            channels = c
    return nn.Sequential(*layers)


def hash_weights(model):
    """He-uniform hash weights, biases within ±0.05 (mirrors HashWeights.range for `features.*`)."""
    for name, t in model.state_dict().items():
        key = "features." + name
        if t.dim() == 4:
            offset, scale = 0.0, float(np.sqrt(6.0 / np.prod(t.shape[1:])))
        else:
            offset, scale = 0.0, 0.05
        t.copy_(torch.from_numpy(hash_uniform(t.numel(), fnv1a(key), offset, scale).reshape(tuple(t.shape))))


def activations(net, x, names):
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    x = (x - mean) / std
    wanted = {LAYERS[n]: n for n in names}
    out = {}
    for i, layer in enumerate(net):
        if i > max(wanted):
            break
        x = layer(x)
        if i in wanted:
            out[wanted[i]] = x
    return out


def gram(f):
    _, c, h, w = f.shape
    f = f.reshape(c, h * w)
    return f @ f.t() / (c * h * w)


def main():
    torch.set_num_threads(1)
    net = vgg19_features()
    with torch.no_grad():
        hash_weights(net)
    painting = torch.from_numpy(hash_image(0, 32, 32) / 255.0).float().unsqueeze(0)
    style = torch.from_numpy(hash_image(1, 32, 32) / 255.0).float().unsqueeze(0)
    with torch.no_grad():
        style_grams = {n: gram(a) for n, a in activations(net, style, STYLE).items()}
        content_target = activations(net, painting, [CONTENT])[CONTENT]
    x = painting.clone().requires_grad_(True)
    acts = activations(net, x, [CONTENT] + STYLE)
    content_loss = torch.mean((acts[CONTENT] - content_target) ** 2)
    style_loss = sum(torch.mean((gram(acts[n]) - style_grams[n]) ** 2) for n in STYLE)
    total = CONTENT_WEIGHT * content_loss + STYLE_WEIGHT * style_loss
    total.backward()
    out = {
        "painting": painting[0].numpy(),
        "style": style[0].numpy(),
        "gram_relu1_1": gram(activations(net, painting, ["relu1_1"])["relu1_1"]).detach().numpy(),
        "total_loss": np.array([total.item()], dtype=np.float32),
        "content_loss": np.array([content_loss.item()], dtype=np.float32),
        "style_loss": np.array([style_loss.item()], dtype=np.float32),
        "image_gradient": x.grad[0].numpy(),
    }
    for n, a in activations(net, painting, list(LAYERS)).items():
        out[f"mean_{n}"] = np.array([a.mean().item()], dtype=np.float32)
        out[f"meansq_{n}"] = np.array([(a ** 2).mean().item()], dtype=np.float32)
    path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "PretrainedTests", "Fixtures", "style", "reference.safetensors")
    write_safetensors(path, out)
    print("wrote", os.path.normpath(path), "total loss", total.item())


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference values for the patch loss (Tensor.patches and ContextualLoss), computed with PyTorch.

Run from the repository root with /usr/bin/python3 (pyenv's python has no torch):
    /usr/bin/python3 scripts/reference/patch_reference.py
Writes Tests/RetrievalTests/Fixtures/patch_loss.safetensors. The patch cutting and the affinity
follow the authors' public code (aimagelab/art2real models/contextual_loss.py) as METHOD.md
describes it; the real patches are given directly (the pooled neighbours FAISS would return).
Every value comes from a fixed seed, so rerunning reproduces the committed file.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_reference import ROOT, write_safetensors  # noqa: E402

torch.manual_seed(5)
torch.set_num_threads(1)

SCALES = [(4, 3), (2, 2)]  # (patch, stride): small stand-ins for the authors' 16/6, 8/5, 4/4
WEIGHTS = [1.0, 0.5]


def cut(image, patch, stride):
    """One image [C, H, W] to patches [L, C*p*p], exactly as the authors unfold G(x)."""
    c = image.shape[0]
    return (image.unfold(1, patch, stride).unfold(2, patch, stride).permute(1, 2, 0, 3, 4)
            .contiguous().view(-1, c, patch, patch).view(-1, patch * patch * c))


def affinities(a, b, mean, h=1.0, epsilon=1e-5):
    a = F.normalize(a - mean.repeat(a.shape[0], 1), 2)
    b = F.normalize(b - mean.repeat(b.shape[0], 1), 2)
    dist = 1 - torch.matmul(a, b.t())
    dist = dist / (torch.min(dist, -1, keepdim=True)[0] + epsilon)
    return F.softmax(1 - dist / h, dim=1)


def main():
    out = {}
    # Patches of a [2, 3, 9, 10] image at patch 4, stride 3, and the gradient of sum(patches * w).
    x = (torch.rand(2, 3, 9, 10) * 2 - 1).requires_grad_()
    patches = torch.stack([cut(x[b], 4, 3) for b in range(2)])
    w = torch.rand(patches.shape) + 0.5
    (patches * w).sum().backward()
    out.update({"unfold.x": x.detach(), "unfold.patches": patches.detach(), "unfold.w": w, "unfold.grad": x.grad})

    # Contextual loss over two scales of a [2, 3, 10, 10] batch against given real patches.
    g = (torch.rand(2, 3, 10, 10) * 2 - 1).requires_grad_()
    loss = 0
    for s, (p, stride) in enumerate(SCALES):
        d = 3 * p * p
        mean = torch.rand(d) * 0.4 - 0.2
        out[f"cx.mean{s}"] = mean
        for b in range(2):
            real = torch.rand(7 + 3 * b + s, d) * 2 - 1
            out[f"cx.real{s}.{b}"] = real
            aff = affinities(cut(g[b], p, stride), real, mean)
            maxes, _ = torch.max(aff, 1, keepdim=True)
            loss = loss - WEIGHTS[s] * torch.log(torch.mean(maxes))
    loss = loss / g.shape[0]
    loss.backward()
    out.update({"cx.g": g.detach(), "cx.loss": loss.detach().reshape(1), "cx.grad": g.grad,
                "cx.weights": torch.tensor(WEIGHTS)})

    path = os.path.join(ROOT, "Tests", "RetrievalTests", "Fixtures", "patch_loss.safetensors")
    write_safetensors(path, {k: v.numpy() for k, v in out.items()})
    print(f"wrote {path}: loss {loss.item():.6f}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference values for the semantic patch loss (one bank per segmentation class), with PyTorch.

Run from the repository root with /usr/bin/python3 (pyenv's python has no torch):
    /usr/bin/python3 scripts/reference/semantic_patch_reference.py
Writes Tests/RetrievalTests/Fixtures/semantic_patch_loss.safetensors. Each generated patch has a
class (the bank that serves it: its region's class, or 0); per image and scale, the patches of each
class are compared with that class's pool of real patches (given directly: the neighbours FAISS
would return from the class's bank) after subtracting that class bank's mean, with the contextual
loss of patch_reference.py, weighted by the class's share of the image's patches. Fixed seed.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_reference import ROOT, write_safetensors  # noqa: E402
from patch_reference import affinities, cut  # noqa: E402

torch.manual_seed(19)
torch.set_num_threads(1)

SCALES = [(4, 3), (2, 2)]
WEIGHTS = [1.0, 0.5]
CLASSES = 3


def main():
    out = {"sem.weights": torch.tensor(WEIGHTS)}
    g = (torch.rand(2, 3, 10, 10) * 2 - 1).requires_grad_()
    loss = 0
    for s, (p, stride) in enumerate(SCALES):
        d = 3 * p * p
        positions = cut(g[0], p, stride).shape[0]
        classes = torch.randint(0, CLASSES, (2, positions))
        classes[1] = 1  # one image served by a single bank
        out[f"sem.classes{s}"] = classes.float()
        for c in range(CLASSES):
            out[f"sem.mean{s}.{c}"] = torch.rand(d) * 0.4 - 0.2
        for b in range(2):
            patches = cut(g[b], p, stride)
            for c in range(CLASSES):
                mine = classes[b] == c
                if not mine.any():
                    continue
                real = torch.rand(5 + 2 * c + s + b, d) * 2 - 1
                out[f"sem.real{s}.{b}.{c}"] = real
                aff = affinities(patches[mine], real, out[f"sem.mean{s}.{c}"])
                maxes, _ = torch.max(aff, 1, keepdim=True)
                share = mine.sum().item() / positions
                loss = loss - WEIGHTS[s] * share * torch.log(torch.mean(maxes))
    loss = loss / g.shape[0]
    loss.backward()
    out.update({"sem.g": g.detach(), "sem.loss": loss.detach().reshape(1), "sem.grad": g.grad})
    path = os.path.join(ROOT, "Tests", "RetrievalTests", "Fixtures", "semantic_patch_loss.safetensors")
    write_safetensors(path, {k: v.numpy() for k, v in out.items()})
    print(f"wrote {path}: loss {loss.item():.6f}")


if __name__ == "__main__":
    main()

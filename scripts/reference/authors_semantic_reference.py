#!/usr/bin/python3
"""Reference values for the authors' semantic patch loss (train's `class_terms: authors`), with PyTorch.

Run from the repository root with /usr/bin/python3 (pyenv's python has no torch):
    /usr/bin/python3 scripts/reference/authors_semantic_reference.py
Writes Tests/RetrievalTests/Fixtures/authors_semantic_loss.safetensors.

Written from reading `compute_contextual` in aimagelab/art2real models/contextual_loss.py (not
copied): per image and scale, every class mask is unfolded like the image and a patch joins the
class when the mask covers at least P*P/2 of its pixels; class 0's mask is the pixels in no mask
(all pixels when the painting has no pickle). Each class present gives one term: its patches
search the class's bank (class 0's when the bank lacks the class at that scale, with class 0's
mean), the k neighbours of all its patches are pooled (unique, sorted), and the term is
-log(mean over its patches of the row max of the affinity), with the bank's stored mean
subtracted from both sides. Terms are summed with no weight over classes and scales, then averaged
over the batch. FAISS is replaced by an exact L2 search (a Flat index), and the fixture is
redrawn until no query has a tie at its k-th neighbour, so both sides find the same pools.

Fixture: a batch of 2 images of 12x12, scales (4,4), (2,2), (6,3), k = 3. Image 0's masks overlap
(classes 1 and 2), split patches exactly half/half (1 and 3), leave a patch in no class and name a
class the bank lacks (7); class 3 has no bank at the third scale. Image 1 has no masks.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_reference import ROOT, write_safetensors  # noqa: E402
from patch_reference import affinities, cut  # noqa: E402

torch.set_num_threads(1)

SIZE = 12
SCALES = [(4, 4), (2, 2), (6, 3)]
K = 3
BANKS = {0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2], 3: [0, 1]}  # class -> scales where it has a bank


def masks_of_image0():
    y, x = torch.meshgrid(torch.arange(SIZE), torch.arange(SIZE), indexing="ij")
    return [
        (1, (x < 6).to(torch.uint8)),
        (2, (y < 4).to(torch.uint8)),
        (3, ((x >= 6) & (x < 8) & (y >= 4)).to(torch.uint8)),
        (7, ((x >= 9) & (y >= 9)).to(torch.uint8)),
    ]


def unfold_mask(mask, p, stride):
    return mask.view(1, SIZE, SIZE).unfold(1, p, stride).unfold(2, p, stride).permute(1, 2, 0, 3, 4).reshape(-1, p * p)


def classes_of(masks, p, stride):
    """{class: row indices of the patches that joined it}, in the authors' order (masks, then class 0)."""
    unfolded = [(c, unfold_mask(m, p, stride).float()) for c, m in masks]
    if unfolded:
        background = 1 - torch.clamp(torch.stack([u for _, u in unfolded]).sum(0), 0, 1)
    else:
        background = unfold_mask(torch.ones(SIZE, SIZE), p, stride)
    unfolded.append((0, background))
    out = {}
    for c, u in unfolded:
        rows = torch.nonzero(u.sum(-1) >= p * p / 2.0).view(-1)
        if rows.numel() > 0:
            out[c] = torch.cat((out[c], rows)) if c in out else rows
    return out


def exact_search(queries, bank, k):
    d = torch.cdist(queries.double(), bank.double()) ** 2
    ordered, idx = torch.sort(d, dim=1)
    gap = (ordered[:, k] - ordered[:, k - 1]).min().item() if bank.shape[0] > k else float("inf")
    return idx[:, :k], gap


def build(seed):
    torch.manual_seed(seed)
    out = {}
    banks, means = {}, {}
    for c, scales in BANKS.items():
        for s in scales:
            p = SCALES[s][0]
            rows = torch.randint(0, 256, (12 + 3 * c + s, 3 * p * p)).to(torch.uint8)
            banks[(c, s)] = rows.float() * (2.0 / 255.0) - 1
            means[(c, s)] = torch.rand(3 * p * p) * 0.4 - 0.2
            out[f"bank{s}.{c}"] = rows.float()
            out[f"mean{s}.{c}"] = means[(c, s)]
    g = (torch.rand(2, 3, SIZE, SIZE) * 2 - 1).requires_grad_()
    masks = [masks_of_image0(), []]
    cases = {"overlap": False, "half": False, "none": False, "missing": False}
    loss, worst_gap = 0, float("inf")
    for b in range(2):
        for s, (p, stride) in enumerate(SCALES):
            patches = cut(g[b], p, stride)
            members = classes_of(masks[b], p, stride)
            if b == 0:
                joined = torch.zeros(patches.shape[0])
                for rows in members.values():
                    joined[rows] += 1
                cases["overlap"] |= bool((joined > 1).any())
                cases["none"] |= bool((joined == 0).any())
                cases["missing"] |= any((c, s) not in banks for c in members)
            for c, rows in members.items():
                key = (c, s) if (c, s) in banks else (0, s)
                found, gap = exact_search(patches[rows].detach(), banks[key], K)
                worst_gap = min(worst_gap, gap)
                pool = torch.sort(torch.unique(found.flatten()))[0]
                aff = affinities(patches[rows], banks[key][pool], means[key])
                maxes, _ = torch.max(aff, 1, keepdim=True)
                loss = loss - torch.log(torch.mean(maxes))
    # An exact half/half patch: patch (4,4) of the first scale at x 4..7, y 4..7 is half class 1, half class 3.
    first = classes_of(masks[0], *SCALES[0])
    cases["half"] = 4 in first[1].tolist() and 4 in first[3].tolist()
    assert all(cases.values()), cases
    loss = loss / g.shape[0]
    loss.backward()
    for e, (c, m) in enumerate(masks[0]):
        out[f"mask.{e}"] = m.float()
        out[f"mask.{e}.id"] = torch.tensor([float(c)])
    out.update({"g": g.detach(), "loss": loss.detach().reshape(1), "grad": g.grad})
    return out, worst_gap


def main():
    for seed in range(100, 200):
        out, gap = build(seed)
        if gap > 1e-3:
            break
    else:
        raise SystemExit("no seed without near-ties")
    path = os.path.join(ROOT, "Tests", "RetrievalTests", "Fixtures", "authors_semantic_loss.safetensors")
    write_safetensors(path, {k: v.numpy() for k, v in out.items()})
    print(f"wrote {path}: seed {seed}, loss {out['loss'].item():.6f}, smallest k-th neighbour gap {gap:.4g}")


if __name__ == "__main__":
    main()

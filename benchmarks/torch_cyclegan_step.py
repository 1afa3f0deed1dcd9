#!/usr/bin/python3
"""PyTorch baseline for PleinAir's train benchmark: one CycleGAN iteration as junyanz's
optimize_parameters (G_A, G_B, D_A, D_B; LSGAN; cycle λ 10; identity 0.5; image pools of 50;
Adam lr 2e-4 β1 0.5 for each side) at ngf 32, 6 residual blocks, ndf 64, 3-layer PatchGAN,
batch 1. With --bank, the patch loss (the authors' contextual loss over k = 5 retrieved real
patches per generated patch, pooled per image) is added on G_A's output, retrieving by exact
search (torch.cdist + topk) over the same bank files PleinAir searches with a FAISS Flat index.

Run with Debian's torch: /usr/bin/python3 benchmarks/torch_cyclegan_step.py --threads 2 [--bank DIR]
Prints: `torch_step_ms=<fastest> torch_median_ms=<median> threads=<n>`
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "reference"))
from engine_cyclegan import NLayerDiscriminator, ResnetGenerator  # noqa: E402


class ImagePool:
    def __init__(self, size):
        self.size, self.images = size, []

    def query(self, images):
        out = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif random.uniform(0, 1) > 0.5:
                i = random.randint(0, self.size - 1)
                out.append(self.images[i].clone())
                self.images[i] = image
            else:
                out.append(image)
        return torch.cat(out, 0)


class PatchLoss:
    def __init__(self, folder, k=5):
        manifest = json.load(open(os.path.join(folder, "bank.json")))
        self.k, self.scales = k, []
        for entry in manifest["scales"]:
            p, s = entry["scale"]["patch"], entry["scale"]["stride"]
            name = f"p{p}s{s}"
            # 8-bit shards (bank.json format 2), read as PleinAir reads them: v * 2/255 - 1.
            shards = [np.load(os.path.join(folder, f"{name}.{i:05d}.npy")) for i in range(len(entry["shardRows"]))]
            bank = torch.from_numpy(np.concatenate(shards).astype(np.float32) * np.float32(2 / 255) - np.float32(1))
            mean = torch.from_numpy(np.load(os.path.join(folder, name + ".mean.npy")).reshape(-1))
            self.scales.append((p, s, bank, mean))

    @staticmethod
    def cut(image, p, s):
        c = image.shape[0]
        return image.unfold(1, p, s).unfold(2, p, s).permute(1, 2, 0, 3, 4).contiguous().view(-1, c * p * p)

    def __call__(self, fake):
        total = 0
        for p, s, bank, mean in self.scales:
            for b in range(fake.shape[0]):
                patches = self.cut(fake[b], p, s)
                with torch.no_grad():
                    ids = torch.cdist(patches, bank).topk(self.k, largest=False).indices.unique()
                real = bank[ids]
                a = F.normalize(patches - mean, 2)
                r = F.normalize(real - mean, 2)
                dist = 1 - a @ r.t()
                dist = dist / (dist.min(1, keepdim=True)[0] + 1e-5)
                cx = F.softmax(1 - dist, dim=1)
                total = total - torch.log(cx.max(1)[0].mean())
        return total / fake.shape[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--bank", default=None)
    parser.add_argument("--lambda-patch", type=float, default=0.1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    random.seed(0)
    g_a, g_b = ResnetGenerator(3, 3, ngf=32, n_blocks=6), ResnetGenerator(3, 3, ngf=32, n_blocks=6)
    d_a, d_b = NLayerDiscriminator(3, ndf=64, n_layers=3), NLayerDiscriminator(3, ndf=64, n_layers=3)
    opt_g = torch.optim.Adam(list(g_a.parameters()) + list(g_b.parameters()), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(list(d_a.parameters()) + list(d_b.parameters()), lr=2e-4, betas=(0.5, 0.999))
    pool_a, pool_b = ImagePool(50), ImagePool(50)
    patch = PatchLoss(args.bank) if args.bank else None
    real_a = torch.rand(1, 3, args.size, args.size) * 2 - 1
    real_b = torch.rand(1, 3, args.size, args.size) * 2 - 1

    def gan(pred, target):
        return F.mse_loss(pred, torch.full_like(pred, target))

    def step():
        fake_b, fake_a = g_a(real_a), g_b(real_b)
        rec_a, rec_b = g_b(fake_b), g_a(fake_a)
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(False)
        opt_g.zero_grad()
        loss = (gan(d_a(fake_b), 1.0) + gan(d_b(fake_a), 1.0) + 10 * F.l1_loss(rec_a, real_a) + 10 * F.l1_loss(rec_b, real_b)
                + 5 * F.l1_loss(g_a(real_b), real_b) + 5 * F.l1_loss(g_b(real_a), real_a))
        if patch is not None:
            loss = loss + args.lambda_patch * patch(fake_b)
        loss.backward()
        opt_g.step()
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(True)
        opt_d.zero_grad()
        fb = pool_b.query(fake_b)
        (0.5 * (gan(d_a(real_b), 1.0) + gan(d_a(fb), 0.0))).backward()
        fa = pool_a.query(fake_a)
        (0.5 * (gan(d_b(real_a), 1.0) + gan(d_b(fa), 0.0))).backward()
        opt_d.step()

    for _ in range(2):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"torch_step_ms={times[0]:.2f} torch_median_ms={times[len(times) // 2]:.2f} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: the tl-resnet-s network, data and batch size of the tfjs
bench, timed on the CPU. Prints one JSON object on stdout.

Network (same as electron/training/backbones/tl-resnet.ts): 28x28x1 input; stem conv3x3 16 + BN +
ReLU; basic blocks of 16 (stride 1), 32 (stride 2, 1x1 stride-2 conv+BN projection), 64 (stride 2,
projection); global average pooling -> 64 features; Dense(classes) softmax. Convs have no bias;
BatchNorm eps 1e-3, momentum 0.01 (= Keras 0.99). Stride-2 'same' convs pad 1 on both sides (TF pads
0 top / 1 bottom): same shapes and multiply count, a one-pixel shift in alignment.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = bn(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = bn(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), bn(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class TlResnetS(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), bn(16), nn.ReLU())
        self.block1 = BasicBlock(16, 16, 1)
        self.block2 = BasicBlock(16, 32, 2)
        self.block3 = BasicBlock(32, 64, 2)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(self.stem(x))))
        return x.mean(dim=(2, 3))


def load(data_dir, n):
    with gzip.open(os.path.join(data_dir, "images.u8.gz"), "rb") as f:
        raw = f.read(n * 784)
    if len(raw) < n * 784:
        sys.exit(f"{data_dir}: fewer than {n} images")
    with open(os.path.join(data_dir, "labels.u8"), "rb") as f:
        labels = np.frombuffer(f.read(n), dtype=np.uint8)
    x = torch.from_numpy(np.frombuffer(raw, dtype=np.uint8).astype(np.float32) / 255.0).reshape(n, 1, 28, 28)
    return x, torch.from_numpy(labels.astype(np.int64))


def timed(work):
    c0, t0 = time.process_time(), time.perf_counter()
    work()
    return {"wallS": time.perf_counter() - t0, "cpuS": time.process_time() - c0}


def batches(n, b):
    return [(s, min(n, s + b)) for s in range(0, n, b)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--classes", type=int, required=True)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="fine-tuning epochs timed; the fastest counts")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y = load(a.data, a.n)
    spans = batches(a.n, a.batch)
    base = TlResnetS()

    def embed():
        base.eval()
        with torch.no_grad():
            return torch.cat([base(x[s:e]) for s, e in spans])

    def head_epochs(feats_of, epochs):
        head = nn.Linear(64, a.classes)
        opt = torch.optim.Adam(head.parameters(), lr=1e-3)
        for _ in range(epochs):
            for s, e in spans:
                opt.zero_grad()
                F.cross_entropy(head(feats_of(s, e)), y[s:e]).backward()
                opt.step()

    def cached():
        feats = embed()
        head_epochs(lambda s, e: feats[s:e], a.epochs)

    def naive():
        base.eval()

        def feats_of(s, e):
            with torch.no_grad():
                return base(x[s:e])
        head_epochs(feats_of, a.epochs)

    def fine_tune():
        model = nn.Sequential(base, nn.Linear(64, a.classes))
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        for s, e in spans:
            opt.zero_grad()
            F.cross_entropy(model(x[s:e]), y[s:e]).backward()
            opt.step()

    # Warm-up: one batch of each path (allocator, oneDNN primitives).
    saved_spans = spans
    spans = spans[:1]
    embed(), head_epochs(lambda s, e: embed()[s:e], 1), fine_tune()
    spans = saved_spans

    out = {
        "torch": torch.__version__, "threads": torch.get_num_threads(), "n": a.n, "batch": a.batch, "epochs": a.epochs,
        "forward": timed(embed),
        "featureExtractionCached": timed(cached),
        "featureExtractionNaive": timed(naive),
        "fineTuneEpoch": min((timed(fine_tune) for _ in range(a.repeat)), key=lambda t: t["cpuS"]),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: one workload of the training suite (the same network,
data, split and batch sizes as the engine's), timed on the CPU, in a process of its own so its peak
resident set is that workload's. Prints one JSON object on stdout.

tl-resnet-s (as electron/training/backbones/tl-resnet.ts): 28x28x1 input; stem conv3x3 16 + BN +
ReLU; basic blocks of 16 (stride 1), 32 (stride 2, 1x1 stride-2 conv+BN projection), 64 (stride 2,
projection); global average pooling -> 64 features. Stride-2 'same' convs pad 1 on both sides (TF
pads 0 top / 1 bottom): same shapes and multiply count, a one-pixel shift in alignment.

mobilenet-v1-0.25-224 (as Keras' MobileNet, electron/training/backbones/testing/mini-models.ts):
224x224x3; conv 3x3 stride 2 (zero pad right/bottom) + BN + ReLU6; 13 depthwise-separable blocks
(depthwise 3x3 + BN + ReLU6, pointwise 1x1 + BN + ReLU6), stride-2 ones zero-padded right/bottom;
cut at conv_pw_13_relu, global average pooling -> 256 features. Random weights.

Blocks (what "unfreeze top N" counts from the top) follow the app's recipes: tl-resnet-s
stem/block1/block2/block3; MobileNet stem + 13 blocks. Convs have no bias; BatchNorm eps 1e-3.

`pytorch_reference.py --describe ARCH` prints the network's parameter count, blocks and feature size
(checked against the engine's networks by bench/training/pytorch.test.ts).

Workloads: forward (inference-mode pass over the training images, batch 128 as the engine embeds),
feature-extraction (one pass over every image, then head epochs on the cached embeddings with a
validation pass per epoch, then scoring validation and test from the embeddings; also reports one
forward pass over every image for the ratio), fine-tuning (frozen prefix in eval mode without
gradients, trainable suffix + head in train mode, Adam; each epoch's training part is timed).
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EMBED_BATCH = 128


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


def tl_resnet_blocks():
    stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), bn(16), nn.ReLU())
    return [stem, BasicBlock(16, 16, 1), BasicBlock(16, 32, 2), BasicBlock(32, 64, 2)]


class PadRightBottom(nn.Module):
    """Keras' ZeroPadding2D(((0, 1), (0, 1))) before a 'valid' stride-2 conv."""

    def forward(self, x):
        return F.pad(x, (0, 1, 0, 1))


def conv_bn_relu6(conv, c):
    return [conv, bn(c), nn.ReLU6()]


MOBILENET_STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]
MOBILENET_FILTERS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024]


def mobilenet_blocks(alpha):
    width = lambda n: int(n * alpha + 0.5)
    cin = width(32)
    blocks = [nn.Sequential(PadRightBottom(), *conv_bn_relu6(nn.Conv2d(3, cin, 3, 2, 0, bias=False), cin))]
    for stride, filters in zip(MOBILENET_STRIDES, MOBILENET_FILTERS):
        cout = width(filters)
        pad = [PadRightBottom()] if stride == 2 else []
        dw = nn.Conv2d(cin, cin, 3, stride, 1 if stride == 1 else 0, groups=cin, bias=False)
        pw = nn.Conv2d(cin, cout, 1, 1, 0, bias=False)
        blocks.append(nn.Sequential(*pad, *conv_bn_relu6(dw, cin), *conv_bn_relu6(pw, cout)))
        cin = cout
    return blocks


ARCHS = {
    "tl-resnet-s": {"blocks": tl_resnet_blocks, "size": 28, "channels": 1, "features": 64, "symmetric": False},
    "mobilenet-v1-0.25-224": {"blocks": lambda: mobilenet_blocks(0.25), "size": 224, "channels": 3, "features": 256, "symmetric": True},
}


class Pooled(nn.Module):
    """Blocks in order, then global average pooling (the base's pooled features)."""

    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        return self.blocks(x).mean(dim=(2, 3))


def load(data_dir, n, size, channels):
    with gzip.open(os.path.join(data_dir, "images.u8.gz"), "rb") as f:
        raw = f.read(n * 784)
    if len(raw) < n * 784:
        sys.exit(f"{data_dir}: fewer than {n} images")
    with open(os.path.join(data_dir, "labels.u8"), "rb") as f:
        labels = np.frombuffer(f.read(n), dtype=np.uint8)
    x = torch.from_numpy(np.frombuffer(raw, dtype=np.uint8).copy()).reshape(n, 1, 28, 28)
    if size != 28:
        # Stored at the network's input size, as the engine's bench data (nearest-neighbour upscale).
        f = size // 28
        x = x.repeat_interleave(f, dim=2).repeat_interleave(f, dim=3)
    if channels != 1:
        x = x.expand(n, channels, size, size).contiguous()
    return x, torch.from_numpy(labels.astype(np.int64))


def timed(work):
    c0, t0 = time.process_time(), time.perf_counter()
    work()
    return {"wallS": time.perf_counter() - t0, "cpuS": time.process_time() - c0}


def spans(indices, b):
    return [indices[s:s + b] for s in range(0, len(indices), b)]


def describe(name):
    """Parameter count (BatchNorm running statistics included, as Keras counts them), blocks and features."""
    blocks = ARCHS[name]["blocks"]()
    base = Pooled(blocks)
    params = sum(p.numel() for p in base.parameters())
    stats = sum(b.numel() for n, b in base.named_buffers() if n.endswith(("running_mean", "running_var")))
    with torch.no_grad():
        base.eval()
        size, channels = ARCHS[name]["size"], ARCHS[name]["channels"]
        features = base(torch.zeros(1, channels, size, size)).shape[1]
    print(json.dumps({"params": params + stats, "blocks": len(blocks), "features": features}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--describe":
        return describe(sys.argv[2])
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--arch", choices=sorted(ARCHS), required=True)
    ap.add_argument("--workload", choices=["forward", "feature-extraction", "fine-tuning"], required=True)
    ap.add_argument("--train", type=int, required=True)
    ap.add_argument("--val", type=int, required=True)
    ap.add_argument("--test", type=int, required=True)
    ap.add_argument("--classes", type=int, required=True)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--head-epochs", type=int, default=10)
    ap.add_argument("--ft-epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=1, help="forward / feature extraction timed this often; the fastest counts")
    ap.add_argument("--unfreeze", default="2", help="blocks unfrozen from the top, or 'all'")
    ap.add_argument("--threads", type=int, default=0, help="0: every core the process may use")
    a = ap.parse_args()
    default_threads = torch.get_num_threads()
    torch.set_num_threads(a.threads if a.threads > 0 else len(os.sched_getaffinity(0)))
    torch.manual_seed(1)
    arch = ARCHS[a.arch]
    n = a.train + a.val + a.test
    x_u8, y = load(a.data, n, arch["size"], arch["channels"])
    train = torch.arange(a.train)
    val = torch.arange(a.train, a.train + a.val)
    test = torch.arange(a.train + a.val, n)
    everything = torch.arange(n)
    blocks = arch["blocks"]()
    base = Pooled(blocks)

    def images(idx):
        # Per batch, as the engine does: bytes -> [0,1] (-> [-1,1] for MobileNet).
        x = x_u8[idx].float().div_(255)
        return x.mul_(2).sub_(1) if arch["symmetric"] else x

    def embed(idx):
        base.eval()
        with torch.no_grad():
            return torch.cat([base(images(s)) for s in spans(idx, EMBED_BATCH)])

    def head_run(epochs):
        feats = embed(everything)
        head = nn.Linear(arch["features"], a.classes)
        opt = torch.optim.Adam(head.parameters(), lr=1e-3)
        g = torch.Generator().manual_seed(1)
        for _ in range(epochs):
            for s in spans(train[torch.randperm(a.train, generator=g)], a.batch):
                opt.zero_grad()
                loss = F.cross_entropy(head(feats[s]), y[s])
                loss.backward()
                opt.step()
                loss.item()
            with torch.no_grad():
                F.cross_entropy(head(feats[val]), y[val]).item()
        with torch.no_grad():
            head(feats[val]).argmax(1), head(feats[test]).argmax(1)

    unfreeze = len(blocks) if a.unfreeze == "all" else min(int(a.unfreeze), len(blocks))
    prefix = nn.Sequential(*blocks[:len(blocks) - unfreeze])
    suffix = Pooled(blocks[len(blocks) - unfreeze:])
    ft_head = nn.Linear(arch["features"], a.classes)
    params = list(suffix.parameters()) + list(ft_head.parameters())
    for p in prefix.parameters():
        p.requires_grad_(False)
    ft_opt = torch.optim.Adam(params, lr=1e-4)

    def ft_epoch(idx):
        prefix.eval()
        suffix.train()
        g = torch.Generator().manual_seed(len(idx))
        for s in spans(idx[torch.randperm(len(idx), generator=g)], a.batch):
            with torch.no_grad():
                x = prefix(images(s))
            ft_opt.zero_grad()
            loss = F.cross_entropy(ft_head(suffix(x)), y[s])
            loss.backward()
            ft_opt.step()
            loss.item()

    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "defaultThreads": default_threads}
    warm = train[:min(a.train, EMBED_BATCH)]
    fastest = lambda times: min(times, key=lambda t: t["wallS"])
    if a.workload == "forward":
        embed(warm)
        out["main"] = fastest([timed(lambda: embed(train)) for _ in range(a.repeats)])
    elif a.workload == "feature-extraction":
        embed(warm)
        runs = [(timed(lambda: embed(everything)), timed(lambda: head_run(a.head_epochs))) for _ in range(a.repeats)]
        out["forwardAll"] = fastest([r[0] for r in runs])
        out["main"] = fastest([r[1] for r in runs])
    else:
        epochs = [timed(lambda: ft_epoch(train)) for _ in range(a.ft_epochs)]
        out["epochs"] = epochs
        out["main"] = fastest(epochs)
    out["maxRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()

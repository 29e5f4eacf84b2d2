#!/usr/bin/env python3
"""PyTorch (eager) reference of `pdepth train`, for side-by-side throughput.

Same data handling as the C++ trainer: the whole (stratified-free, first-N)
subset is normalised and kept resident on the device, batches are indexed
there, SGD with momentum and weight decay, cosine schedule per step, and an
evaluation pass over every train and test example after each epoch.
Prints one JSON line with the timings.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from idxfile import read_idx  # noqa: E402


def conv_bn_relu(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class Cnn(nn.Module):
    def __init__(self, cin, classes, k=16, size=28):
        super().__init__()
        widths = [k, 2 * k, 4 * k, 8 * k]
        blocks, c = [], cin
        for b, w in enumerate(widths):
            layers = conv_bn_relu(c, w)
            if b > 0 and size >= 2:
                layers.append(nn.MaxPool2d(2))
                size //= 2
            blocks.append(nn.Sequential(*layers))
            c = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        h = self.blocks(x)
        return self.fc(h.flatten(2).max(2).values)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, cin, classes, w=1.0):
        super().__init__()
        widths = [max(1, round(64 * w)), max(1, round(128 * w)), max(1, round(256 * w)), max(1, round(512 * w))]
        self.stem = nn.Sequential(*conv_bn_relu(cin, widths[0]))
        layers, c = [], widths[0]
        for s, wd in enumerate(widths):
            for b in range(2):
                layers.append(BasicBlock(c, wd, 2 if (s > 0 and b == 0) else 1))
                c = wd
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(self.layers(self.stem(x)).mean((2, 3)))


def evaluate(model, x, y, batch):
    model.eval()
    with torch.no_grad():
        preds = []
        for s in range(0, len(y), batch):
            logits = model(x[s:s + batch]).float()
            logp = F.log_softmax(logits, 1)
            yb = y[s:s + batch]
            lp = logp.gather(1, yb[:, None]).squeeze(1)
            p = logp.exp()
            (p.pow(2).sum(1) - 2 * lp.exp() + 1).clamp_min(0).sqrt()
            preds.append(logits.argmax(1))
        return (torch.cat(preds) == y).float().mean().item() if len(y) else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--model", default="cnn", choices=["cnn", "resnet18"])
    ap.add_argument("--limit", type=int, default=10000)
    ap.add_argument("--test-limit", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--eval-batch", type=int, default=1024)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--amp", action="store_true",
                    help="bf16 autocast on the device (on the CPU worth it only with bf16 matrix units such as AMX)")
    ap.add_argument("--channels-last", action="store_true",
                    help="model and batches in channels-last layout (what pdepth does on CUDA)")
    ap.add_argument("--cudnn-benchmark", action="store_true",
                    help="torch.backends.cudnn.benchmark = True (what pdepth does on CUDA)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    layout = torch.channels_last if args.channels_last else torch.contiguous_format
    torch.manual_seed(0)
    dev = torch.device(args.device)
    xtr = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    ytr = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
    xte = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    yte = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz"))
    if args.limit:
        xtr, ytr = xtr[:args.limit], ytr[:args.limit]
    if args.test_limit:
        xte, yte = xte[:args.test_limit], yte[:args.test_limit]
    mean, std = xtr.mean() / 255.0, xtr.std() / 255.0

    def upload(x, y):
        x = torch.from_numpy(x.copy()).to(dev)[:, None].float().div_(255).sub_(mean).div_(std)
        return x.contiguous(), torch.from_numpy(y.astype(np.int64)).to(dev)

    xtr, ytr = upload(xtr, ytr)
    xte, yte = upload(xte, yte)
    model = (Cnn(1, 10) if args.model == "cnn" else ResNet18(1, 10)).to(dev, memory_format=layout)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    n = len(ytr)
    steps = (n + args.batch - 1) // args.batch
    train_s = eval_s = 0.0
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    use_amp = args.amp
    autocast = (lambda: torch.autocast(dev.type, dtype=torch.bfloat16)) if use_amp else contextlib.nullcontext
    for epoch in range(args.epochs):
        model.train()
        sync()
        t0 = time.perf_counter()
        order = torch.randperm(n, device=dev)
        for step in range(steps):
            lr = 0.5 * args.lr * (1 + math.cos(math.pi * (epoch + step / steps) / args.epochs))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = order[step * args.batch:(step + 1) * args.batch]
            with autocast():
                logits = model(xtr.index_select(0, idx).contiguous(memory_format=layout))
            loss = F.cross_entropy(logits.float(), ytr.index_select(0, idx))
            opt.zero_grad()
            loss.backward()
            opt.step()
        sync()
        t1 = time.perf_counter()
        with autocast():
            evaluate(model, xtr, ytr, args.eval_batch)
            acc = evaluate(model, xte, yte, args.eval_batch)
        sync()
        t2 = time.perf_counter()
        train_s += t1 - t0
        eval_s += t2 - t1
    print(json.dumps({
        "impl": "pytorch-eager", "torch": torch.__version__, "model": args.model, "device": args.device,
        "threads": args.threads, "channels_last": args.channels_last, "cudnn_benchmark": args.cudnn_benchmark,
        "examples": n, "epochs": args.epochs,
        "train_seconds": round(train_s, 3), "eval_seconds": round(eval_s, 3),
        "train_examples_per_s": round(n * args.epochs / train_s, 1),
        "test_accuracy": round(acc, 4)}))


if __name__ == "__main__":
    main()

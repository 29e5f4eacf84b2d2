#!/usr/bin/env python3
"""PyTorch (eager) reference of `pdepth study`, end to end, for side-by-side timing.

It answers the study's question the plain way: for each member, train the same
network on the same examples (SGD with momentum and weight decay, cosine per
step, batch indexed from the resident, normalised pool), take the final
predictions in eval mode, extract the embeddings at the same probes (adaptive
average pooling to the same size, float16 as pdepth stores them), run the
leave-one-out k-NN probes (squared Euclidean in float64, majority vote, a tie
going to the tied class of the nearest neighbour) and derive prediction depth;
then the per-example aggregates: effective train- and validation-split depth,
consistency and memorisation. No per-epoch dynamics.

The pool, the test examples, the labels, the normalisation and every member's
half are read from a study file that pdepth wrote (`--study`), so both sides
solve exactly the same problem; only the random initialisation and order
differ. Writes the aggregates to `--out` (.npz) and prints one JSON line with
the timings. `--compare` prints the agreement with the study's own summary.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_reference import Cnn, ResNet18, read_idx  # noqa: E402

IDX_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
             "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


def reduced_size(c, h, w, max_features):
    """pdepth's reducedSize: the longer side steps down, the shorter follows in proportion."""
    longer, shorter = max(h, w), min(h, w)
    for l in range(longer, 0, -1):
        s = max(1, (shorter * l + longer // 2) // longer)
        if c * l * s <= max_features or l == 1:
            return (l, s) if h >= w else (s, l)
    return h, w


def probes_of(model, x):
    """Activations at pdepth's probes: input, each block (stage), logits."""
    outs = [x]
    if isinstance(model, Cnn):
        h = x
        for block in model.blocks:
            h = block(h)
            outs.append(h)
        outs.append(model.fc(h.flatten(2).max(2).values))
    else:
        h = model.stem(x)
        outs.append(h)
        for i, layer in enumerate(model.layers):
            h = layer(h)
            if i % 2 == 1:
                outs.append(h)
        outs.append(model.fc(h.mean((2, 3))))
    return outs


def reduce_probe(t, max_features):
    if t.dim() == 2:
        return t
    c, h, w = t.shape[1:]
    rh, rw = reduced_size(c, h, w, max_features)
    if (rh, rw) != (h, w):
        t = F.adaptive_avg_pool2d(t, (rh, rw))
    return t.flatten(1)


def knn_predict(support, labels, queries, self_index, k, classes, block_elements=1 << 26):
    """Leave-one-out k-NN: float64 distances, top-k, vote with the nearest-tied rule."""
    s = support.double()
    s_norm = (s * s).sum(1)
    block = max(1, block_elements // max(1, len(s)))
    preds = []
    for start in range(0, len(queries), block):
        q = queries[start:start + block].double()
        d = torch.addmm(s_norm.unsqueeze(0), q, s.t(), beta=1, alpha=-2)
        own = self_index[start:start + block]
        rows = torch.nonzero(own >= 0).squeeze(1)
        d[rows, own[rows]] = math.inf
        idx = d.topk(k, dim=1, largest=False, sorted=True).indices
        nl = labels[idx]
        counts = torch.zeros(len(q), classes, dtype=torch.long, device=q.device).scatter_add_(1, nl, torch.ones_like(nl))
        tied = counts.eq(counts.max(1, keepdim=True).values).gather(1, nl)
        first = (tied.long() * torch.arange(k, 0, -1, device=q.device).unsqueeze(0)).argmax(1, keepdim=True)
        preds.append(nl.gather(1, first).squeeze(1))
    return torch.cat(preds)


def depth_of(knn, final):
    agree = knn.eq(final.unsqueeze(0))  # [P, N]
    p = knn.shape[0]
    depth = torch.full((knn.shape[1],), p, dtype=torch.long, device=knn.device)
    # The smallest l with agreement at every probe j >= l.
    suffix = torch.flip(torch.cumprod(torch.flip(agree, [0]).long(), 0), [0])  # [P, N]: agree at all j >= l
    any_l = suffix.bool()
    first = torch.where(any_l.any(0), any_l.float().argmax(0), torch.full_like(depth, p))
    return torch.minimum(depth, first)


def autocast(dev, amp):
    """bf16 autocast on the device when asked for (as pdepth's mixed precision), else nothing."""
    if amp:
        return torch.autocast(dev.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def train_member(model, x, y, idx, cfg, dev, amp=False):
    t = cfg["train"]
    opt = torch.optim.SGD(model.parameters(), lr=t["lr"], momentum=t["momentum"], weight_decay=t["weight_decay"])
    n = len(idx)
    steps = (n + t["batch_size"] - 1) // t["batch_size"]
    epochs = t["epochs"]
    for epoch in range(epochs):
        model.train()
        order = idx[torch.randperm(n, device=dev)]
        for step in range(steps):
            lr = 0.5 * t["lr"] * (1 + math.cos(math.pi * (epoch + step / steps) / epochs))
            for g in opt.param_groups:
                g["lr"] = lr
            b = order[step * t["batch_size"]:(step + 1) * t["batch_size"]]
            with autocast(dev, amp):
                logits = model(x.index_select(0, b))
            loss = F.cross_entropy(logits.float(), y.index_select(0, b))
            opt.zero_grad()
            loss.backward()
            opt.step()


def now(dev):
    """The time once the device has finished what it was given."""
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def load_splits(f, data):
    """The train and test examples a pdepth file (open in h5py) names, normalised as it did: {split: (x, y)}."""
    ds = f["dataset"]
    source = data or ds.attrs["source"]
    if isinstance(source, bytes):
        source = source.decode()
    mean = torch.tensor(np.asarray(ds.attrs["normalisation_mean"], dtype=np.float32)).view(1, -1, 1, 1)
    std = torch.tensor(np.asarray(ds.attrs["normalisation_std"], dtype=np.float32)).view(1, -1, 1, 1)
    splits = {}
    for split in ("train", "test"):
        images = read_idx(os.path.join(source, IDX_FILES[split][0]))
        rows = f[f"dataset/{split}/source_index"][:]
        x = torch.from_numpy(images[rows].copy())[:, None].float().div_(255).sub_(mean).div_(std).contiguous()
        splits[split] = (x, torch.from_numpy(f[f"dataset/{split}/label"][:].astype(np.int64)))
    return splits


def run(args):
    f = h5py.File(args.study, "r")
    cfg = json.loads(f.attrs["config"])
    splits = load_splits(f, args.data)
    members = sorted(k for k in f["models"].keys())
    in_train = [f[f"models/{m}/in_train"][:].astype(bool) for m in members]
    f.close()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    xtr, ytr = (t.to(dev) for t in splits["train"])
    xte, yte = (t.to(dev) for t in splits["test"])
    x_all = torch.cat([xtr, xte])
    n_train, n_all = len(ytr), len(ytr) + len(yte)
    classes = int(max(ytr.max(), yte.max())) + 1
    k = cfg["study"]["k"]
    max_features = cfg["study"]["max_features"]
    eval_batch = cfg["train"]["eval_batch_size"]
    width = cfg["model"].get("cnn_base_width", 16)
    depth_sum = {"train": torch.zeros(n_all), "val": torch.zeros(n_all)}
    depth_n = {"train": torch.zeros(n_all), "val": torch.zeros(n_all)}
    correct = {"train": torch.zeros(n_all), "val": torch.zeros(n_all)}
    times = {"train": 0.0, "embed": 0.0, "probe": 0.0}
    for m, mask in enumerate(in_train):
        model = Cnn(xtr.shape[1], classes, k=width) if cfg["model"]["arch"] == "cnn" else ResNet18(xtr.shape[1], classes)
        model.to(dev)
        t0 = now(dev)
        idx = torch.from_numpy(np.nonzero(mask)[0]).to(dev)
        train_member(model, xtr, ytr, idx, cfg, dev, args.amp)
        t1 = now(dev)
        # Final predictions and embeddings in one eval pass over every example.
        model.eval()
        embs, finals = None, []
        with torch.no_grad():
            for s in range(0, n_all, eval_batch):
                with autocast(dev, args.amp):
                    outs = probes_of(model, x_all[s:s + eval_batch])
                finals.append(outs[-1].float().argmax(1))
                red = [reduce_probe(o.float(), max_features).clamp(-65504, 65504).half() for o in outs]
                if embs is None:
                    embs = [torch.empty(n_all, r.shape[1], dtype=torch.half, device=dev) for r in red]
                for e, r in zip(embs, red):
                    e[s:s + len(r)] = r
        final = torch.cat(finals)
        t2 = now(dev)
        support = torch.nonzero(torch.from_numpy(mask)).squeeze(1).to(dev)
        self_index = torch.full((n_all,), -1, dtype=torch.long, device=dev)
        self_index[support] = torch.arange(len(support), device=dev)
        labels = ytr[support]
        knn = torch.stack([knn_predict(e[support], labels, e, self_index, k, classes) for e in embs])
        depth = depth_of(knn, final).float().cpu()
        final = final.cpu()
        embs = None
        t3 = now(dev)
        times["train"] += t1 - t0
        times["embed"] += t2 - t1
        times["probe"] += t3 - t2
        trained = torch.cat([torch.from_numpy(mask), torch.zeros(len(yte), dtype=torch.bool)])
        hit = final.eq(torch.cat([ytr, yte]).cpu()).float()
        for side, sel in (("train", trained), ("val", ~trained)):
            depth_sum[side] += torch.where(sel, depth, torch.zeros_like(depth))
            depth_n[side] += sel.float()
            correct[side] += torch.where(sel, hit, torch.zeros_like(hit))

    def mean(a, n):
        return torch.where(n > 0, a / n.clamp_min(1), torch.full_like(a, float("nan"))).numpy()

    acc_train, acc_val = mean(correct["train"], depth_n["train"]), mean(correct["val"], depth_n["val"])
    result = {"depth_train_mean": mean(depth_sum["train"], depth_n["train"]),
              "depth_val_mean": mean(depth_sum["val"], depth_n["val"]),
              "consistency": acc_val, "memorisation": acc_train - acc_val, "n_train": n_train}
    if args.out:
        np.savez(args.out, **result)
    print(json.dumps({"impl": "pytorch-eager-study", "torch": torch.__version__, "members": len(in_train),
                      "pool": n_train, "test": len(yte), "epochs": cfg["train"]["epochs"], "threads": args.threads,
                      "train_seconds": round(times["train"], 2), "embed_seconds": round(times["embed"], 2),
                      "probe_seconds": round(times["probe"], 2), "seconds": round(sum(times.values()), 2)}))
    return result


def compare(study, ref):
    """Agreement of the reference's aggregates with the study's summary."""
    with h5py.File(study, "r") as f:
        ours = {name: np.concatenate([f[f"summary/train/{name}"][:], f[f"summary/test/{name}"][:]])
                for name in ("depth_train_mean", "depth_val_mean", "consistency", "memorisation")}
    out = {}
    for name, a in ours.items():
        b = np.asarray(ref[name], dtype=np.float64)
        ok = np.isfinite(a) & np.isfinite(b)
        a, b = a[ok].astype(np.float64), b[ok]
        corr = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float("nan")
        entry = {"n": int(ok.sum()), "pdepth_mean": round(float(a.mean()), 4), "reference_mean": round(float(b.mean()), 4),
                 "pearson": round(corr, 4), "mean_abs_diff": round(float(np.abs(a - b).mean()), 4)}
        if name.startswith("depth"):
            # Distribution of the per-example mean depth, in unit bins.
            bins = np.arange(0, max(a.max(), b.max()) + 2)
            entry["hist_pdepth"] = np.histogram(a, bins)[0].tolist()
            entry["hist_reference"] = np.histogram(b, bins)[0].tolist()
        out[name] = entry
    print(json.dumps({"agreement": out}))


def reference_arguments(description, file_option, file_help, compare_help):
    """The options the study and sweep references share: the file pdepth wrote, --data, --threads, --seed, --compare."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument(file_option, required=True, help=file_help)
    ap.add_argument("--data", help="IDX folder (default: the dataset source the file names)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare", action="store_true", help=compare_help)
    return ap


def main():
    ap = reference_arguments(__doc__.splitlines()[0], "--study", "study file written by pdepth study",
                             "print the agreement with the study's summary")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--amp", action="store_true", help="bf16 autocast on the device (pdepth's mixed precision; on the CPU worth it only "
                    "with bf16 matrix units such as AMX)")
    ap.add_argument("--out", help="write the aggregates here (.npz)")
    args = ap.parse_args()
    result = run(args)
    if args.compare:
        compare(args.study, result)


if __name__ == "__main__":
    main()

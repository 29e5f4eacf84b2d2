#!/usr/bin/env python3
"""PyTorch (eager) reference of `pdepth sweep`: the same members, one after another.

A sweep trains, at every size, one member per subset (the same subsets at
every size), runs its k-NN probes, and, with distillation, trains a student of
every smaller size on each subset from the largest size's member of that
subset (loss (1 - alpha) CE + alpha T^2 KL(teacher/T || student/T) on the
teacher's final logits). This script does exactly that in plain PyTorch, member
after member in one process, and then the per-example estimate of every
ensemble: P_in, P_out and mem = P_in - P_out, with each member's final
prediction in eval mode. It reads the pool, test examples, labels,
normalisation and every member's subset from the sweep's own member files
(`--sweep`), so both sides solve the same problem; only the random
initialisation and order differ. Per-epoch dynamics (the proxies loss, EL2N,
forgetting, iteration learned) are not recorded, as in study_reference.py.

Prints one JSON line with the timings and, with `--compare`, one with the
agreement of the mean mem, P_in and P_out per size with the sweep file's.
"""
import json
import os
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from study_reference import (depth_of, knn_predict, load_splits, probes_of, reduce_probe,  # noqa: E402
                             reference_arguments, train_member)
from train_reference import Cnn  # noqa: E402


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def load_problem(sweep_path, data):
    """Pool, test split, the sweep's configuration and each size's member subsets."""
    folder = os.path.dirname(os.path.abspath(sweep_path))
    with h5py.File(sweep_path, "r") as f:
        config = json.loads(text(f.attrs["sweep_config"]))
        files = [text(p) for p in f.attrs["member_files"]]
        splits = load_splits(f, data)
    masks = []
    for name in files:
        if os.path.basename(name).startswith("s00_"):
            with h5py.File(os.path.join(folder, name), "r") as m:
                masks.append(m["models/m000/in_train"][:].astype(bool))
    return config, splits, masks


def train_student(model, x, y, idx, teacher_logits, cfg, temperature, alpha):
    """train_member with the distillation loss on the teacher's fixed logits."""
    t = cfg["train"]
    opt = torch.optim.SGD(model.parameters(), lr=t["lr"], momentum=t["momentum"], weight_decay=t["weight_decay"])
    n, batch, epochs = len(idx), t["batch_size"], t["epochs"]
    steps = (n + batch - 1) // batch
    for epoch in range(epochs):
        model.train()
        order = idx[torch.randperm(n)]
        for step in range(steps):
            lr = 0.5 * t["lr"] * (1 + np.cos(np.pi * (epoch + step / steps) / epochs))
            for g in opt.param_groups:
                g["lr"] = lr
            b = order[step * batch:(step + 1) * batch]
            logits = model(x.index_select(0, b))
            log_student = F.log_softmax(logits / temperature, 1)
            log_teacher = F.log_softmax(teacher_logits.index_select(0, b) / temperature, 1)
            kl = (log_teacher.exp() * (log_teacher - log_student)).sum(1).mean()
            loss = (1 - alpha) * F.cross_entropy(logits, y.index_select(0, b)) + alpha * temperature ** 2 * kl
            opt.zero_grad()
            loss.backward()
            opt.step()


def finish_member(model, x_all, ytr, mask, cfg, classes):
    """Eval pass with probes, k-NN probes and depth; returns the final logits over every example."""
    study, eval_batch = cfg["study"], cfg["train"]["eval_batch_size"]
    n_all = len(x_all)
    model.eval()
    embs, logits = None, []
    with torch.no_grad():
        for s in range(0, n_all, eval_batch):
            outs = probes_of(model, x_all[s:s + eval_batch])
            logits.append(outs[-1])
            red = [reduce_probe(o.float(), study["max_features"]).half() for o in outs]
            if embs is None:
                embs = [torch.empty(n_all, r.shape[1], dtype=torch.half) for r in red]
            for e, r in zip(embs, red):
                e[s:s + len(r)] = r
    logits = torch.cat(logits)
    support = torch.nonzero(torch.from_numpy(mask)).squeeze(1)
    self_index = torch.full((n_all,), -1, dtype=torch.long)
    self_index[support] = torch.arange(len(support))
    knn = torch.stack([knn_predict(e[support], ytr[support], e, self_index, study["k"], classes) for e in embs])
    depth_of(knn, logits.argmax(1))
    return logits


def estimate(hits, masks):
    """P_in, P_out and mem per example from [members, pool] hits and subsets."""
    hits, masks = np.asarray(hits, dtype=np.float64), np.asarray(masks)
    m_in, m_out = masks.sum(0), (~masks).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_in = np.where(m_in > 0, (hits * masks).sum(0) / m_in, np.nan)
        p_out = np.where(m_out > 0, (hits * ~masks).sum(0) / m_out, np.nan)
    return p_in, p_out, p_in - p_out


def run(args):
    config, splits, masks = load_problem(args.sweep, args.data)
    base, sizes = config["base"], config["sizes"]
    if base["model"]["arch"] != "cnn":
        raise SystemExit("sweep_reference.py: only cnn sweeps (base width sizes) are implemented")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    xtr, ytr = splits["train"]
    xte, yte = splits["test"]
    x_all = torch.cat([xtr, xte])
    classes = int(max(ytr.max(), yte.max())) + 1
    n_train = len(ytr)
    t0 = time.perf_counter()
    plain_hits, teacher_logits, student_hits, test_acc = {}, {}, {}, {}
    # The largest size first: its members are the students' teachers.
    for s in reversed(range(len(sizes))):
        plain_hits[s], test_acc[s] = [], []
        for j, mask in enumerate(masks):
            model = Cnn(xtr.shape[1], classes, k=int(sizes[s]))
            train_member(model, xtr, ytr, torch.from_numpy(np.nonzero(mask)[0]), base, torch.device("cpu"))
            logits = finish_member(model, x_all, ytr, mask, base, classes)
            pred = logits.argmax(1)
            plain_hits[s].append(pred[:n_train].eq(ytr).numpy())
            test_acc[s].append(float(pred[n_train:].eq(yte).float().mean()))
            if s == len(sizes) - 1:
                teacher_logits[j] = logits[:n_train]
    if config.get("distill"):
        for s in range(len(sizes) - 1):
            student_hits[s] = []
            for j, mask in enumerate(masks):
                model = Cnn(xtr.shape[1], classes, k=int(sizes[s]))
                train_student(model, xtr, ytr, torch.from_numpy(np.nonzero(mask)[0]), teacher_logits[j], base,
                              config["temperature"], config["alpha"])
                logits = finish_member(model, x_all, ytr, mask, base, classes)
                student_hits[s].append(logits[:n_train].argmax(1).eq(ytr).numpy())
    seconds = time.perf_counter() - t0
    result = {}
    for s, size in enumerate(sizes):
        p_in, p_out, mem = estimate(plain_hits[s], masks)
        entry = {"mem": float(np.nanmean(mem)), "p_in": float(np.nanmean(p_in)), "p_out": float(np.nanmean(p_out)),
                 "test_accuracy": float(np.mean(test_acc[s]))}
        if s in student_hits:
            entry["distilled_mem"] = float(np.nanmean(estimate(student_hits[s], masks)[2]))
        result[str(size)] = entry
    members = len(sizes) * len(masks) + (len(student_hits) * len(masks))
    print(json.dumps({"impl": "pytorch-eager-sweep", "torch": torch.__version__, "members": members,
                      "pool": n_train, "test": len(yte), "epochs": base["train"]["epochs"], "threads": args.threads,
                      "seconds": round(seconds, 2), "per_size": result}))
    return result


def compare(sweep_path, ref):
    """Mean mem, P_in and P_out per size: the sweep file's beside the reference's."""
    out = {}
    with h5py.File(sweep_path, "r") as f:
        config = json.loads(text(f.attrs["sweep_config"]))
        for s, size in enumerate(config["sizes"]):
            g = f[f"sweep/sizes/s{s:02d}"]
            ours = {name: float(np.nanmean(g[name][:])) for name in ("mem", "p_in", "p_out")}
            out[str(size)] = {name: {"pdepth": round(v, 4), "reference": round(ref[str(size)][name], 4)}
                              for name, v in ours.items()}
    print(json.dumps({"agreement": out}))


def main():
    args = reference_arguments(__doc__.splitlines()[0], "--sweep",
                               "sweep file written by pdepth sweep (its members beside it)",
                               "print the mean mem, P_in, P_out per size beside the sweep's").parse_args()
    result = run(args)
    if args.compare:
        compare(args.sweep, result)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Summarises a `pdepth study` file as Markdown: probe accuracy per layer,
prediction-depth histograms of both splits, Spearman correlations of the
effective validation-split depth with consistency, the training dynamics
(averaged over the members that trained on each example, those that held it
out, and all members) and the scores, the difficulty groups, and the hardest
examples.

usage: study_report.py STUDY.h5 [--hardest N]
Needs h5py and numpy (Debian: python3-h5py python3-numpy)."""
import argparse
import json

import h5py
import numpy as np


def ranks(x):
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x), dtype=np.float64)
    r[order] = np.arange(len(x))
    # average ranks over ties
    _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inv, weights=r)
    return (sums / counts)[inv]


def spearman(a, b):
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return float("nan")
    ra, rb = ranks(a[ok]), ranks(b[ok])
    return float(np.corrcoef(ra, rb)[0, 1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("study")
    ap.add_argument("--hardest", type=int, default=10)
    args = ap.parse_args()
    with h5py.File(args.study, "r") as f:
        cfg = json.loads(f.attrs["config"])
        classes = [c.decode() if isinstance(c, bytes) else c for c in f["dataset"].attrs["class_names"]]
        models = sorted(k for k in f["models"].keys())
        first = f["models"][models[0]]
        probes = [p.decode() if isinstance(p, bytes) else p for p in first["probes"].attrs["probe_names"]]
        P = len(probes)
        print(f"# Study report: {args.study}\n")
        print(f"{cfg['model']['arch']} ×{cfg['model']['width_multiplier']}, {len(models)} models, ratio "
              f"{cfg['study']['ratio']}, k = {cfg['study']['k']}, {f['dataset/train'].attrs['size']} pool / "
              f"{f['dataset/test'].attrs['size']} test examples of {f['dataset'].attrs['name']}\n")

        print("## Time per model\n\n| model | train + eval (s) | embedding (s) | probing (s) | test accuracy |\n|---|---|---|---|---|")
        for m in models:
            g = f["models"][m]
            print(f"| {m} | {g.attrs['train_seconds']:.1f} | {g['probes'].attrs['embed_seconds']:.1f} | "
                  f"{g['probes'].attrs['probe_seconds']:.1f} | {g['curves/test_accuracy'][-1]:.4f} |")

        print("\n## k-NN probe accuracy per layer (mean over models)\n")
        print("| probe | train split (given label) | validation split (given label) | validation split (agrees with network) |\n|---|---|---|---|")
        acc = {k: np.mean([f["models"][m]["probes"][k][:] for m in models], axis=0)
               for k in ["train_split_accuracy", "validation_split_accuracy", "validation_split_agreement"]}
        for l, name in enumerate(probes):
            print(f"| {l} {name} | {acc['train_split_accuracy'][l]:.3f} | {acc['validation_split_accuracy'][l]:.3f} | "
                  f"{acc['validation_split_agreement'][l]:.3f} |")

        s = f["summary/train"]
        dtr, dval = s["depth_train_mean"][:], s["depth_val_mean"][:]
        print("\n## Prediction depth (per model and example, pool)\n")
        per_train, per_val = [], []
        for m in models:
            g = f["models"][m]
            d = g["probes/depth_train"][:]
            inn = g["in_train"][:].astype(bool)
            per_train.append(d[inn])
            per_val.append(np.concatenate([d[~inn], g["probes/depth_test"][:]]))
        ht = np.bincount(np.concatenate(per_train), minlength=P + 1)
        hv = np.bincount(np.concatenate(per_val), minlength=P + 1)
        print("| depth | train split | validation split |\n|---|---|---|")
        for dep in range(P + 1):
            label = f"{dep} ({probes[dep]})" if dep < P else f"{dep} (none)"
            print(f"| {label} | {ht[dep] / ht.sum():.3f} | {hv[dep] / hv.sum():.3f} |")
        print(f"\nmean depth: train split {np.concatenate(per_train).mean():.2f}, "
              f"validation split {np.concatenate(per_val).mean():.2f}")

        # Dynamics are defined on examples being trained on: averaged per example over the
        # members that trained on it, those that held it out, and (as files before the
        # split stored them) all members, straight from the members' own scores.
        inn_all = np.stack([f["models"][m]["in_train"][:].astype(bool) for m in models])
        def by_split(name):
            v = np.stack([f["models"][m]["scores/train"][name][:].astype(np.float64) for m in models])
            with np.errstate(invalid="ignore"):
                trained = np.where(inn_all, v, 0).sum(0) / inn_all.sum(0)
                held = np.where(~inn_all, v, 0).sum(0) / (~inn_all).sum(0)
            return trained, held, v.mean(0)
        print("\n## Spearman correlations with the effective validation-split depth (pool)\n")
        print("| score | ρ | expected sign (Baldock et al.) |\n|---|---|---|")
        print(f"| consistency | {spearman(dval, s['consistency'][:]):+.3f} | negative |")
        for name, sign in [("confidence", "negative"), ("iteration_learned", "positive"),
                           ("forgetting_events", ""), ("variability", "")]:
            trained, held, mixed = by_split(name)
            print(f"| {name}, models that trained on it | {spearman(dval, trained):+.3f} | {sign} |")
            print(f"| {name}, models that held it out | {spearman(dval, held):+.3f} | |")
            print(f"| {name}, all models | {spearman(dval, mixed):+.3f} | |")
        print(f"| memorisation | {spearman(dval, s['memorisation'][:]):+.3f} | positive |")
        print(f"| effective train-split depth | {spearman(dval, dtr):+.3f} | positive |")
        for name in ["label_issue", "ambiguity", "rarity", "easiness"]:
            if name in s:
                print(f"| {name} score | {spearman(dval, s[name][:]):+.3f} | |")

        names = [n.decode() if isinstance(n, bytes) else n for n in f["summary"].attrs["group_names"]]
        group = s["group"][:]
        print("\n## Difficulty groups (pool)\n\n| group | examples | share |\n|---|---|---|")
        for gi, name in enumerate(names):
            c = int((group == gi).sum())
            print(f"| {name} | {c} | {c / len(group):.3f} |")

        labels = f["dataset/train/label"][:]
        src = f["dataset/train/source_index"][:]
        dist = s["held_out_distribution"][:]
        order = np.argsort(-np.nan_to_num(dval, nan=-1), kind="mergesort")[: args.hardest]
        print(f"\n## The {args.hardest} hardest pool examples (deepest in the validation split)\n")
        print("| index | source index | given label | held-out models predict | val depth | train depth | consistency | group |\n|---|---|---|---|---|---|---|---|")
        for i in order:
            top = np.argsort(-dist[i])[:2]
            pred = ", ".join(f"{classes[c]} {dist[i][c]:.2f}" for c in top if dist[i][c] > 0)
            print(f"| {i} | {src[i]} | {classes[labels[i]]} | {pred} | {dval[i]:.2f} | {dtr[i]:.2f} | "
                  f"{s['consistency'][i]:.2f} | {names[group[i]]} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch (eager) k-NN probes on the embeddings a pdepth member stored, for timing the probe stage alone.

Reads a member file of a study run with `--embeddings all` (and its
`.embeddings.h5` side file): every probe's float16 embeddings of both splits,
the member's training examples (the support, queried leave-one-out) and the
labels. Runs bench/study_reference.py's k-NN (float64 distances, top-k, the
nearest-tied vote) for every probe, best of `--repeats`, and prints one JSON
line with the time and whether its predictions equal those pdepth stored.
"""
import argparse
import json
import os
import sys
import time

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from study_reference import knn_predict  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("member", help="member run file with stored embeddings")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    side = os.path.splitext(args.member)[0] + ".embeddings.h5"
    with h5py.File(args.member, "r") as f, h5py.File(side, "r") as e:
        cfg = json.loads(f.attrs["config"])
        g = f["models/m000"]
        probes = [p.decode() if isinstance(p, bytes) else p for p in g.attrs["probe_names"]]
        mask = g["in_train"][:].astype(bool)
        ytr = torch.from_numpy(f["dataset/train/label"][:].astype(np.int64))
        yte = f["dataset/test/label"][:]
        stored = {s: g[f"probes/knn_pred_{s}"][:] for s in ("train", "test")}
        embs = [torch.from_numpy(np.concatenate([e[f"models/m000/embeddings/train/{p}"][:],
                                                 e[f"models/m000/embeddings/test/{p}"][:]])) for p in probes]
    n_train = len(ytr)
    classes = int(max(ytr.max(), int(yte.max()) if len(yte) else 0)) + 1
    k = cfg["study"]["k"]
    support = torch.nonzero(torch.from_numpy(mask)).squeeze(1)
    self_index = torch.full((n_train + len(yte),), -1, dtype=torch.long)
    self_index[support] = torch.arange(len(support))
    labels = ytr[support]
    best = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        knn = torch.stack([knn_predict(x[support], labels, x, self_index, k, classes) for x in embs])
        best = min(best, time.perf_counter() - t0)
    same = (np.array_equal(knn[:, :n_train].numpy(), stored["train"])
            and np.array_equal(knn[:, n_train:].numpy(), stored["test"]))
    print(json.dumps({"impl": "pytorch-knn", "torch": torch.__version__, "probes": len(probes),
                      "queries": len(self_index), "support": len(support),
                      "dims": int(sum(x.shape[1] for x in embs)), "k": k, "threads": args.threads,
                      "seconds": round(best, 3), "same_as_stored": bool(same)}))


if __name__ == "__main__":
    main()

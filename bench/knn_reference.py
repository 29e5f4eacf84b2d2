#!/usr/bin/env python3
"""PyTorch (eager) reference for the k-NN probe: matmul + top-k on the same
raw float32 embeddings that bench_knn writes. Prints one JSON line."""
import json
import sys
import time

import numpy as np
import torch

q, s, d, k, threads, raw = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
device = sys.argv[7] if len(sys.argv) > 7 else "cpu"
torch.set_num_threads(threads)
data = np.fromfile(raw, dtype=np.float32)
support = torch.from_numpy(data[: s * d].reshape(s, d)).to(device)
queries = torch.from_numpy(data[s * d:].reshape(q, d)).to(device)


def run():
    # The plain recipe: full distance matrix, then top-k.
    dist = (queries * queries).sum(1, keepdim=True) - 2 * queries @ support.T + (support * support).sum(1)
    return dist.topk(k, dim=1, largest=False).indices


best = 1e30
for _ in range(3):
    if device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    run()
    if device == "cuda":
        torch.cuda.synchronize()
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"impl": "pytorch-matmul-topk", "device": device, "torch": torch.__version__, "queries": q,
                  "support": s, "dim": d, "k": k, "threads": threads, "seconds": round(best, 4)}))

#!/usr/bin/env bash
# Side-by-side benchmarks on this machine: training throughput of `pdepth
# train` against the PyTorch eager reference (same model, batch, optimiser,
# data resident on the device, per-epoch evaluation of every example), and
# the k-NN probe against FAISS flat L2 and PyTorch matmul + top-k, and with
# STUDY_RUNS=n a whole study end to end against bench/study_reference.py
# (bench/study.sh, n interleaved runs; its shape from MODELS, POOL, EPOCHS).
# Prints JSON lines; docs/benchmarks.md records the figures.
#
# usage: [STUDY_RUNS=3] bench/run.sh [cpu|cuda]   (build first: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
device="${1:-cpu}"
python="${PYTHON:-/usr/bin/python3}"
bin="$root/build/bin"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ "$device" == cpu ]]; then
  threads=$(nproc)
  train_args=(--model cnn --limit 10000 --test-limit 2000 --epochs 3 --batch 128 --lr 0.05)
  ref_args=(--model cnn --limit 10000 --test-limit 2000 --epochs 3 --batch 128 --lr 0.05 --eval-batch 256)
  knn=(10000 10000 512 30)
else
  threads=$(nproc)
  train_args=(--model resnet18 --limit 0 --test-limit 0 --epochs 3 --batch 512 --lr 0.1 --eval-batch 4096)
  ref_args=(--model resnet18 --limit 0 --test-limit 0 --epochs 3 --batch 512 --lr 0.1 --eval-batch 4096 --amp)
  knn=(10000 60000 512 30)
fi

echo "# training throughput ($device, $threads threads)"
"$bin/pdepth" train "${train_args[@]}" --device "$device" --threads "$threads" -o "$tmp/run.h5" >"$tmp/ours.txt" 2>/dev/null
"$python" - "$tmp/run.h5" "$device" "$threads" <<'PY'
import json, sys, h5py
f = h5py.File(sys.argv[1], "r")
m = f["models/m000"]
cfg = json.loads(f.attrs["config"])
epochs = len(m["curves/epoch"])
n = f["dataset/train"].attrs["size"]
total = float(m["curves/seconds"][:].sum())
print(json.dumps({"impl": "pdepth", "model": cfg["model"]["arch"], "device": sys.argv[2], "threads": int(sys.argv[3]),
                  "examples": int(n), "epochs": epochs, "epoch_seconds_incl_eval": round(total, 3),
                  "test_accuracy": round(float(m["curves/test_accuracy"][-1]), 4)}))
PY
grep -o '[0-9]* examples/s' "$tmp/ours.txt" | sed 's/^/pdepth training steps: /'
"$python" "$root/bench/train_reference.py" "${ref_args[@]}" --device "$device" --threads "$threads"

echo "# k-NN probe (${knn[*]}: queries support dim k)"
"$bin/bench_knn" "${knn[@]}" "$threads" "$tmp/knn.raw"
"$python" "$root/bench/knn_reference.py" "${knn[@]}" "$threads" "$tmp/knn.raw" "$device"

if [[ -n "${STUDY_RUNS:-}" && "$device" == cpu ]]; then
  "$root/bench/study.sh" "$STUDY_RUNS"
fi

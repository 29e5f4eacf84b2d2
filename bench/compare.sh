#!/usr/bin/env bash
# The regime comparison of docs/findings.md on this CPU: Fashion-MNIST, the
# cpu-quick cnn, standard training vs LLF vs SEAL, and its wall time against
# the same members' own times (docs/benchmarks.md). Niced: the machine is shared.
# Usage: bench/compare.sh [out-dir]   (MODELS, EPOCHS, GENERATIONS, LIMIT, TEST_LIMIT, JOBS,
#   DATA_PATH, TRANSFER_PATH, TRANSFER_LIMIT override; scripts/split_classes.py makes a
#   class-split pair of datasets for the transfer probe when only one dataset is installed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/compare-results}"
mkdir -p "$out"
pdepth="$root/build/bin/pdepth"
uptime | tee "$out/load-before.txt"
start=$SECONDS
nice -n 10 "$pdepth" compare --preset cpu-quick --limit "${LIMIT:-4000}" --test-limit "${TEST_LIMIT:-1000}" \
  --epochs "${EPOCHS:-2}" --generations "${GENERATIONS:-3}" --models "${MODELS:-4}" \
  --regimes standard,llf,seal --threads 1 --jobs "${JOBS:-1}" -o "$out/cmp.h5" \
  ${DATA_PATH:+--data-path "$DATA_PATH"} \
  ${TRANSFER_PATH:+--transfer-path "$TRANSFER_PATH" --transfer-limit "${TRANSFER_LIMIT:-2000}" --transfer-test-limit "${TRANSFER_TEST_LIMIT:-1000}"} 2>"$out/compare.log" | tee "$out/compare.txt"
echo "wall: $((SECONDS - start)) s" | tee -a "$out/compare.txt"
uptime | tee "$out/load-after.txt"
# The members' own times (training, embedding, probing), summed: what the same
# members cost run one after another without the comparison around them.
/usr/bin/python3 - "$out/cmp.h5" <<'PY' | tee "$out/members.txt"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
total = 0.0
for r in f.attrs["regimes"]:
    r = r.decode() if isinstance(r, bytes) else r
    models = f[f"regimes/{r}/study/models"]
    t = sum(float(m.attrs["train_seconds"]) + float(m["probes"].attrs.get("embed_seconds", 0))
            + float(m["probes"].attrs.get("probe_seconds", 0)) for m in models.values())
    total += t
    acc = f[f"regimes/{r}/generation_test_accuracy"][:]
    print(f"{r}: members' own time {t:.0f} s; test accuracy per generation {acc.mean(axis=0).round(4).tolist()}")
print(f"all members: {total:.0f} s")
PY

#!/usr/bin/env bash
# The probe stage alone: pdepth's runProbes (bench_probestage) against the plain
# PyTorch k-NN (bench/probestage_reference.py) on the same stored embeddings of
# one study member, runs interleaved; prints JSON lines with the machine's load
# before each, and whether each side's predictions equal those the study stored.
#
# usage: bench/probestage.sh [runs]   (build first: scripts/build.sh; bench_probestage)
# shape: POOL (12000), TEST (2000), EPOCHS (1: the embeddings of any trained model serve), THREADS (nproc)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
python="${PYTHON:-/usr/bin/python3}"
bin="$root/build/bin"
threads="${THREADS:-$(nproc)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }

"$bin/pdepth" study --model cnn --limit "${POOL:-12000}" --test-limit "${TEST:-2000}" --epochs "${EPOCHS:-1}" \
  --batch 128 --models 2 --ratio 0.5 --k 30 --embeddings all --jobs 1 --threads "$threads" --device cpu \
  -o "$tmp/study.h5" >"$tmp/study.log" 2>&1
member="$tmp/study.members/m000.h5"
echo "# probe stage alone on $member"
for r in $(seq 1 "$runs"); do
  echo "{\"load_before\": $(load)}"
  "$bin/bench_probestage" "$member" "$threads" 1
  echo "{\"load_before\": $(load)}"
  "$python" "$root/bench/probestage_reference.py" "$member" --threads "$threads" --repeats 1
done

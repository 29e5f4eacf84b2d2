#!/usr/bin/env bash
# A sweep end to end: `pdepth sweep` (cnn base widths, distilled students)
# against bench/sweep_reference.py, which trains the same members one after
# another in PyTorch on the same pool and subsets (read from the sweep's member
# files), runs interleaved. Prints JSON lines: the wall time of each run (wall
# and CPU seconds) with the machine's load before it, and the mean mem, P_in
# and P_out per size of both.
#
# usage: bench/sweep.sh [runs]   (build first: scripts/build.sh)
# shape: SIZES (4,8,16), MODELS (4), POOL (500), TEST (200), EPOCHS (3),
#        THREADS (1), JOBS (1, members pdepth runs at once), PDEPTH (build/bin/pdepth)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-2}"
python="${PYTHON:-/usr/bin/python3}"
pdepth="${PDEPTH:-$root/build/bin/pdepth}"
threads="${THREADS:-1}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
shape=(--model cnn --sizes "${SIZES:-4,8,16}" --models "${MODELS:-4}" --ratio 0.7 --limit "${POOL:-500}"
  --test-limit "${TEST:-200}" --epochs "${EPOCHS:-3}" --batch 128 --k 15 --threads "$threads" --device cpu --distill)

# shellcheck source=bench/timing.sh
source "$root/bench/timing.sh"

echo "# sweep end to end: ${shape[*]} --jobs ${JOBS:-1}"
for r in $(seq 1 "$runs"); do
  timed pdepth-sweep "$pdepth" sweep "${shape[@]}" --jobs "${JOBS:-1}" -o "$tmp/sweep.h5"
  timed pytorch-reference "$python" "$root/bench/sweep_reference.py" --sweep "$tmp/sweep.h5" --threads "$threads" \
    --seed "$r" --compare
  cat "$tmp/pytorch-reference.log"
  rm -rf "$tmp"/sweep.*
done

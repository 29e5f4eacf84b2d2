#!/usr/bin/env bash
# A whole study end to end: `pdepth study` with the default settings and with
# full per-epoch dynamics (--eval-every all: every example's dynamics at every
# epoch, the trained-on ones from the training pass), against the
# PyTorch reference bench/study_reference.py on the same pool, members' halves
# and configuration, runs interleaved. Prints JSON lines: the wall time of each
# run (wall and CPU seconds) with the machine's load before it, and the agreement of the reference's
# depths, consistency and memorisation with the study's.
#
# usage: bench/study.sh [runs]   (build first: scripts/build.sh)
# shape: MODELS (8), POOL (12000), TEST (2000), EPOCHS (8)
# THREADS: threads of the reference (nproc, PyTorch's default) and, only when
#   set, of pdepth too (--threads; pdepth's default then trains one member at a time)
# PDEPTH: the pdepth binary timed (build/bin/pdepth)
# REF_AMP=1: also time the reference under bf16 autocast (--amp), as pdepth's
#   default mixed precision on a CPU with bf16 matrix units
# FP32=1: also time pdepth in float32 (--no-amp)
# EVAL_PASS=1: also time the eval-mode dynamics of every example after every
#   epoch (--dynamics eval_pass --eval-every all), as studies were before train-pass dynamics
# BASELINE: another pdepth binary (an earlier build) timed with its defaults in
#   the same rounds, for before/after figures on the same machine and load
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
python="${PYTHON:-/usr/bin/python3}"
pdepth="${PDEPTH:-$root/build/bin/pdepth}"
threads="${THREADS:-$(nproc)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
shape=(--model cnn --limit "${POOL:-12000}" --test-limit "${TEST:-2000}" --epochs "${EPOCHS:-8}" --batch 128
  --models "${MODELS:-8}" --ratio 0.5 --k 30 --device cpu)
[[ -n "${THREADS:-}" ]] && shape+=(--threads "$THREADS")

# shellcheck source=bench/timing.sh
source "$root/bench/timing.sh"

echo "# study end to end: ${shape[*]}"
for r in $(seq 1 "$runs"); do
  if [[ -n "${BASELINE:-}" ]]; then
    timed pdepth-baseline-default "$BASELINE" study "${shape[@]}" -o "$tmp/baseline.h5"
    rm -rf "$tmp"/baseline.*
  fi
  timed pdepth-default "$pdepth" study "${shape[@]}" -o "$tmp/default.h5"
  grep -h "study finished" "$tmp/pdepth-default.log" || true
  timed pdepth-full-dynamics "$pdepth" study "${shape[@]}" --eval-every all -o "$tmp/full.h5"
  if [[ -n "${EVAL_PASS:-}" ]]; then
    timed pdepth-eval-pass "$pdepth" study "${shape[@]}" --dynamics eval_pass --eval-every all -o "$tmp/evalpass.h5"
    rm -rf "$tmp"/evalpass.*
  fi
  if [[ -n "${FP32:-}" ]]; then
    timed pdepth-float32 "$pdepth" study "${shape[@]}" --no-amp -o "$tmp/float32.h5"
    rm -rf "$tmp"/float32.*
  fi
  timed pytorch-reference "$python" "$root/bench/study_reference.py" --study "$tmp/default.h5" --threads "$threads" \
    --seed "$r" --compare
  cat "$tmp/pytorch-reference.log"
  if [[ -n "${REF_AMP:-}" ]]; then
    timed pytorch-reference-amp "$python" "$root/bench/study_reference.py" --study "$tmp/default.h5" \
      --threads "$threads" --seed "$r" --compare --amp
    cat "$tmp/pytorch-reference-amp.log"
  fi
  rm -rf "$tmp"/default.* "$tmp"/full.*
done

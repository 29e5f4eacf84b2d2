#!/usr/bin/env bash
# Memorisation across model sizes on the GPU machine: CIFAR-10 with the CIFAR
# ResNet depth family (8, 14, 20, 32, 44, 56), 16 members per size on subsets
# of ratio 0.7, students of every smaller depth distilled from resnet56
# (T 4, alpha 0.9), in one `pdepth sweep`. Results (the sweep's tables, its
# CSV, the log) go to $OUT (or ./gpu-sweep-results).
# Prepare on the Debian machine first: scripts/prepare-offline-deps.sh, and
# unpack the CIFAR-10 binary version into .data/cifar10/; carry .deps and .data.
# SIZES, MODELS, EPOCHS, JOBS and LIMIT (train examples, 0 = all) override the
# defaults; a stopped run resumes member by member when started again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/gpu-sweep-results}"
sizes="${SIZES:-8,14,20,32,44,56}"
models="${MODELS:-16}"
epochs="${EPOCHS:-30}"
jobs="${JOBS:-4}"
limit="${LIMIT:-0}"
mkdir -p "$out"
cd "$root"
if [[ ! -x build-gpu/bin/pdepth ]]; then
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DPDS_BUILD_GUI=OFF -DPDS_BUILD_TESTS=OFF \
    -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')" >"$out/configure.log" 2>&1
  ninja -C build-gpu -j"$(nproc)" >"$out/build.log" 2>&1
fi
export LD_LIBRARY_PATH="$root/.deps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
bin=build-gpu/bin
sweep="$root/.data/sweep-cifar10.h5"
{ time "$bin/pdepth" sweep --data-path "$root/.data/cifar10" --dataset cifar10 --preset gpu-full \
  --model resnet --sizes "$sizes" --models "$models" --ratio 0.7 --epochs "$epochs" --limit "$limit" \
  --augment crop,flip --distill --temperature 4 --alpha 0.9 --jobs "$jobs" -o "$sweep"; } >"$out/sweep.log" 2>&1
"$bin/pdepth" info "$sweep" >"$out/sweep-info.txt"
"$bin/pdepth" export "$sweep" --csv "$out/sweep.csv"
gzip -f "$out/sweep.csv"

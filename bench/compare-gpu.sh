#!/usr/bin/env bash
# The regime comparison on the GPU machine, in one call: build with its
# LibTorch (GUI and tests off), then standard training vs LLF vs SEAL with
# ResNet-18 on CIFAR-10, transfer probe on CIFAR-100. Results (the comparison's
# `pdepth info` and logs) go to $OUT (or ./gpu-compare).
# Prepare on the Debian machine first: scripts/prepare-offline-deps.sh, and
# unpack the CIFAR-10 and CIFAR-100 binary archives into .data/cifar10 and
# .data/cifar100; carry .deps and .data.
# MODELS (default 4), EPOCHS per generation (10), GENERATIONS (3), JOBS (4), BUDGET (s, 540).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/gpu-compare}"
mkdir -p "$out"
cd "$root"
trap 'cat "$out"/steps.txt "$out"/info.txt >"$out/results.txt" 2>/dev/null || true' EXIT
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$out/steps.txt"
start=$SECONDS
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DPDS_BUILD_GUI=OFF -DPDS_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')" >"$out/configure.log" 2>&1
ninja -C build-gpu -j"$(nproc)" >"$out/build.log" 2>&1 || { tail -n 60 "$out/build.log" >>"$out/steps.txt"; exit 1; }
echo "build: $((SECONDS - start)) s" >>"$out/steps.txt"
export LD_LIBRARY_PATH="$root/.deps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
limit=$(( ${BUDGET:-540} - (SECONDS - start) ))
{ time timeout "$limit" build-gpu/bin/pdepth compare --preset gpu-full --data-path "$root/.data/cifar10" \
    --dataset cifar10 --augment crop,flip --epochs "${EPOCHS:-10}" --generations "${GENERATIONS:-3}" \
    --models "${MODELS:-4}" --regimes standard,llf,seal --transfer cifar100 \
    --transfer-path "$root/.data/cifar100" --jobs "${JOBS:-4}" -o "$out/cmp.h5"; } >"$out/compare.log" 2>&1 ||
  echo "comparison failed or timed out ($limit s); rerun resumes it member by member" >>"$out/steps.txt"
build-gpu/bin/pdepth info "$out/cmp.h5" >"$out/info.txt" 2>&1 || true
tail -n 5 "$out/compare.log" >>"$out/steps.txt"

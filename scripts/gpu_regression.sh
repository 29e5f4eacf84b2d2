#!/usr/bin/env bash
# The regression grid of docs/findings.md (scripts/regression_grid.sh) on a
# GPU, larger than the CPU budget allows: build with the machine's LibTorch
# (GUI and tests off, as bench/gpu.sh does), then symmetric 20/40/60 % and
# Gaussian sigma_max 30, ConFrag / small-loss / none / clean, 3 seeds, on a
# ResNet-18. Results (table.md, table.csv, log.txt and each run's info) go
# to $OUT (or ./gpu-regression); the run files themselves stay behind.
# Prepare on the Debian machine first: scripts/prepare-offline-deps.sh, and
# copy /usr/share/datasets/fashion-mnist/*.gz into .data/fashion-mnist/;
# carry .deps and .data. POOL, TEST, EPOCHS, MODEL and SEEDS override the sizes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/gpu-regression}"
limit="${LIMIT_S:-480}" # seconds for the whole grid, so a slow machine still returns its table
mkdir -p "$out"
cd "$root"
nvidia-smi --query-gpu=name,memory.total --format=csv >"$out/gpu.txt" 2>&1 || true
start=$SECONDS
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DPDS_BUILD_GUI=OFF -DPDS_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')" >"$out/configure.log" 2>&1
ninja -C build-gpu -j"$(nproc)" pdepth pdepth-check >"$out/build.log" 2>&1 || { tail -n 60 "$out/build.log"; exit 1; }
echo "build: $((SECONDS - start)) s" >>"$out/log.txt"
export LD_LIBRARY_PATH="$root/.deps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
runs="$root/gpu-regression-runs"
# The grid resumes runs it finds, so a second call after a time-out continues it.
PDEPTH="$root/build-gpu/bin/pdepth" OUT="$runs" DEVICE=cuda THREADS="$(nproc)" \
  POOL="${POOL:-5460}" TEST="${TEST:-2730}" EPOCHS="${EPOCHS:-15}" SEEDS="${SEEDS:-1 2 3}" \
  MODEL="${MODEL:---model resnet18}" BATCH="${BATCH:-128}" EXTRA="--data-path $root/.data/fashion-mnist" \
  timeout "$limit" scripts/regression_grid.sh >"$out/grid.log" 2>&1 || echo "grid stopped (time limit $limit s or error)" >>"$out/log.txt"
cp "$runs"/log.txt "$runs"/table.* "$out"/ 2>/dev/null || true
for f in "$runs"/*.h5; do
  [[ -f $f ]] && build-gpu/bin/pdepth info "$f" >"$out/$(basename "$f" .h5)-info.txt" 2>&1 || true
done
cat "$out"/table.md 2>/dev/null || tail -n 30 "$out/grid.log"

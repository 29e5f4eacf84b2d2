#!/usr/bin/env bash
# The main job: installs what is missing, builds, and opens the Studio with
# the training wizard set up for Fashion-MNIST (click Next to the end to
# train a small study on the CPU with live progress; with CUDA the wizard
# offers the GPU). Extra arguments go to the Studio, e.g. a run file to open.
# Without a display (a server, a cluster node) it runs the headless main job
# instead: the study the wizard proposes on the CPU (4 cnn models on paired
# halves of a 5,000-example Fashion-MNIST subset, 4 epochs, k-NN probes after
# every layer, embeddings stored), so its file has prediction depth, groups and
# neighbours for every view. Extra arguments go to `pdepth study`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" -DPDS_BUILD_GUI=ON
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && "${PDS_HEADLESS:-0}" != 1 ]]; then
  if (($# == 0)); then
    exec "$root/build/bin/pdepth-studio" --new-study
  fi
  exec "$root/build/bin/pdepth-studio" "$@"
fi
echo "run.sh: no display; running the headless main job (set DISPLAY to open the Studio)"
mkdir -p "$root/runs"
"$root/build/bin/pdepth" study --preset cpu-quick --limit 5000 --test-limit 1000 --epochs 4 \
  --models 4 --ratio 0.5 --k 30 --embeddings all --max-features 1024 --jobs 2 \
  -o "$root/runs/fashion-mnist-study.h5" "$@"
"$root/build/bin/pdepth" info "$root/runs/fashion-mnist-study.h5"

#!/usr/bin/env bash
# The main job: installs what is missing, builds, and opens the Studio with
# the training wizard set up for Fashion-MNIST (click Next to the end to
# train a small study on the CPU with live progress; with CUDA the wizard
# offers the GPU). Extra arguments go to the Studio, e.g. a run file to open.
# Without a display (a server, a cluster node) it runs the default headless
# `pdepth train` on Fashion-MNIST instead: the quick CPU budget (10,000
# training examples, the 4-conv cnn, 8 epochs), or the full dataset and a
# ResNet-18 when CUDA is present.
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
echo "run.sh: no display; running the default headless job (set DISPLAY to open the Studio)"
mkdir -p "$root/runs"
"$root/build/bin/pdepth" train -o "$root/runs/fashion-mnist.h5" "$@"
"$root/build/bin/pdepth" info "$root/runs/fashion-mnist.h5"

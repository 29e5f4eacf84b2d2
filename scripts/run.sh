#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default
# pdepth training run on Fashion-MNIST. Without a GPU this is the quick CPU
# budget (10,000 training examples, the 4-conv cnn, 8 epochs: a few minutes);
# with CUDA it is the full dataset and a ResNet-18.
# Extra arguments go to `pdepth train`, e.g. scripts/run.sh --epochs 3.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
mkdir -p "$root/runs"
"$root/build/bin/pdepth" train -o "$root/runs/fashion-mnist.h5" "$@"
"$root/build/bin/pdepth" info "$root/runs/fashion-mnist.h5"

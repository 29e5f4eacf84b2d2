#!/usr/bin/env bash
# Regenerates the Studio screenshots in docs/screenshots: trains a small
# Fashion-MNIST study on the CPU (kept in runs/ and reused), then opens it in
# the Studio under Xvfb and saves every view as a PNG.
# Usage: scripts/screenshots.sh [study.h5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" -DPDS_BUILD_GUI=ON
study="${1:-$root/runs/screenshots-study.h5}"
if [[ ! -f "$study" ]]; then
  mkdir -p "$(dirname "$study")"
  "$root/build/bin/pdepth" study --limit 3000 --test-limit 1000 --model cnn --epochs 4 --models 8 \
    --noise symmetric --noise-fraction 0.05 --embeddings all --max-features 1024 -o "$study"
fi
out="$root/docs/screenshots"
mkdir -p "$out"
# A fresh settings file, so the screenshots show the default layout.
export XDG_CONFIG_HOME="$(mktemp -d)"
xvfb-run -a -s "-screen 0 1920x1080x24" "$root/build/bin/pdepth-studio" --screenshots "$out" "$study"
ls -l "$out"

#!/usr/bin/env bash
# Configures and builds the project in ./build (Release, Ninja, ccache).
# Extra arguments are passed to CMake, e.g. -DPDS_BUILD_GUI=OFF.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
jobs=$(nproc)
ninja -C build -j"$jobs"

#!/usr/bin/env bash
# Copies the small header-only/third-party pieces the core needs besides
# LibTorch and HDF5 (nlohmann-json, CLI11, stb) from this Debian machine into
# .deps/ (git-ignored), for building on a machine that cannot install them,
# such as the GPU machine: CMake looks in .deps/ first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$root/.deps"
mkdir -p "$deps/include" "$deps/lib" "$deps/share/cmake"
cp -r /usr/include/nlohmann /usr/include/CLI "$deps/include/"
mkdir -p "$deps/include/stb"
cp /usr/include/stb/stb_image.h /usr/include/stb/stb_image_write.h "$deps/include/stb/"
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$deps/share/cmake/"
cp -L /usr/lib/x86_64-linux-gnu/libstb.so /usr/lib/x86_64-linux-gnu/libstb.so.0 "$deps/lib/"
echo "prepared $deps ($(du -sh "$deps" | cut -f1))"

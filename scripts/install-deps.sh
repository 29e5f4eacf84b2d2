#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, and only those missing.
# Usage: scripts/install-deps.sh [--bench]
#   --bench  also installs the Python references used by bench/ (PyTorch, FAISS).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev libqt6svg6-dev
  libtorch-dev libopenblas0-pthread
  libhdf5-dev zlib1g-dev nlohmann-json3-dev libcli11-dev libstb-dev
  dataset-fashion-mnist
  python3-h5py python3-numpy
  xvfb xauth libgl1-mesa-dri
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-torch libfaiss-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

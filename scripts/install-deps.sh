#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, and only those missing.
# Usage: scripts/install-deps.sh [--bench] [--fuzz] [--slurm]
#   --bench  also installs the Python references used by bench/ (PyTorch, FAISS).
#   --fuzz   also installs clang and its runtime libraries for libFuzzer, ASan
#            and UBSan (Debian 12: clang 14, libclang-rt-14-dev), for scripts/fuzz.sh.
#   --slurm  also installs Slurm (slurm-wlm 22.05) and munge, for scripts/slurm-local.sh
#            and the tests labelled slurm.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-svg-dev libvtk9-dev
  libtorch-dev libopenblas0-pthread
  libhdf5-dev zlib1g-dev nlohmann-json3-dev libcli11-dev libstb-dev
  dataset-fashion-mnist
  python3-h5py python3-numpy
  xvfb xauth libgl1-mesa-dri poppler-utils librsvg2-bin
  desktop-file-utils appstream
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(python3-torch libfaiss-dev) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --slurm) packages+=(slurm-wlm munge) ;;
    *) echo "usage: scripts/install-deps.sh [--bench] [--fuzz] [--slurm]" >&2; exit 2 ;;
  esac
done

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

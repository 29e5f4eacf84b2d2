#!/usr/bin/env bash
# Renders resources/icons/pdepth-studio.svg to the PNG sizes of the hicolor
# icon theme (committed, so a build needs no SVG renderer). Run after editing
# the SVG. Needs rsvg-convert (librsvg2-bin, in scripts/install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
icons="$root/resources/icons"
for size in 16 22 24 32 48 64 128 256; do
  mkdir -p "$icons/hicolor/${size}x${size}/apps"
  rsvg-convert -w "$size" -h "$size" "$icons/pdepth-studio.svg" -o "$icons/hicolor/${size}x${size}/apps/pdepth-studio.png"
done

#!/usr/bin/env bash
# Installs what is missing, builds everything with the tests, and runs the
# whole test suite through CTest. Widget tests use Qt's offscreen platform;
# the OpenGL/VTK tests (label gl) need an X server, so without a display the
# suite runs inside xvfb-run (Mesa's software OpenGL).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" -DPDS_BUILD_TESTS=ON -DPDS_BUILD_GUI=ON
cd "$root/build"
if [[ -z "${DISPLAY:-}" ]]; then
  exec xvfb-run -a -s "-screen 0 1600x1200x24" ctest --output-on-failure --timeout 900
fi
ctest --output-on-failure --timeout 900

#!/usr/bin/env bash
# Installs what is missing, builds everything with the tests, and runs the
# whole test suite through CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" -DPDS_BUILD_TESTS=ON
cd "$root/build"
ctest --output-on-failure --timeout 900

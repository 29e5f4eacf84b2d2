#!/usr/bin/env bash
# Builds the core, pdepth and the core tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc) in ./build-asan and runs the fast core tests
# (ctest -L core -LE slow) under them. The first report stops the test that
# made it, and the run fails.
# LibTorch, Qt and HDF5 stay as Debian built them (uninstrumented); reports
# from inside them that are not our bugs are suppressed, with reasons, in
# tests/sanitizers/.
# Usage: scripts/sanitize.sh [extra ctest arguments, e.g. -R tst_runfile]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"

build="$root/build-asan"
sanitize="-fsanitize=address,undefined -fno-omit-frame-pointer"
# -O1 and line tables only: LibTorch's headers make full debug information slow
# to compile and link, and line numbers are all a report needs.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
      -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" \
      -DCMAKE_EXE_LINKER_FLAGS="$sanitize" -DCMAKE_SHARED_LINKER_FLAGS="$sanitize" \
      -DPDS_BUILD_TESTS=ON -DPDS_BUILD_GUI=OFF -DPDS_BUILD_BENCH=OFF >/dev/null

# Build what the selected tests need and nothing else (tst_planted is slow).
mapfile -t tests < <(cd "$build" && ctest -N -L core -LE slow | sed -nE 's/^ *Test +#[0-9]+: +([^ ]+).*/\1/p')
ninja -C "$build" -j"$(nproc)" pdepth "${tests[@]}"

supp="$root/tests/sanitizers"
# Child processes (pdepth run by tst_cli) inherit these.
export ASAN_OPTIONS="halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:suppressions=$supp/asan.supp"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
cd "$build"
ctest -L core -LE slow --output-on-failure --timeout 1200 "$@"

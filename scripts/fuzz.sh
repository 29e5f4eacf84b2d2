#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) in
# ./build-fuzz and runs each for SECONDS (default 60) on a copy of its seed
# corpus. Prints executions per second and coverage per target; exits
# non-zero if any target crashed (the crashing input is kept and named).
# Then runs the damaged-run-file test (tst_mutation) at 1,000 mutated files
# (PDS_MUTATION_COUNT overrides), built in ./build with the tests, and writes
# its table to build/mutation-report.md.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
fi
targets=(fuzz_idx fuzz_cifar fuzz_imagefolder fuzz_targetcsv fuzz_runfile fuzz_runbytes)
# Extra libFuzzer flags per target. A run-file recipe reaches the models and the
# summary only after a few hundred bytes, so let its inputs be that long at once
# instead of growing slowly from a few bytes.
declare -A options=([fuzz_runfile]="-len_control=0 -max_len=512")

"$root/scripts/install-deps.sh" --fuzz
build="$root/build-fuzz"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DPDS_BUILD_FUZZ=ON -DPDS_BUILD_TESTS=OFF -DPDS_BUILD_BENCH=OFF -DPDS_BUILD_GUI=OFF >/dev/null
ninja -C "$build" -j"$(nproc)" fuzz

# UBSan findings abort (the targets are built without recovery); stack traces help.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="halt_on_error=1"
runs="$build/fuzz-runs"
rm -rf "$runs"
failed=()
printf '\n%-18s %8s %10s %8s %8s %8s  %s\n' target seconds "exec/s" runs cov ft status
for t in "${targets[@]}"; do
  dir="$runs/$t"
  mkdir -p "$dir/corpus" "$dir/crashes"
  cp -R "$root/tests/fuzz/corpus/$t/." "$dir/corpus/"
  status=ok
  # Each target writes its files in a temporary folder of its own, on tmpfs where
  # there is one (ten times the executions per second of a disk), removed afterwards.
  tmp="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
  if ! TMPDIR="$tmp" "$build/bin/$t" ${options[$t]:-} -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$dir/crashes/" "$dir/corpus" >"$dir/log" 2>&1; then
    status=CRASHED
    failed+=("$t")
  fi
  rm -rf "$tmp"
  # libFuzzer's last status line ("#N DONE cov: C ft: F corp: ...") and final stats.
  last="$(grep -E '^#[0-9]+' "$dir/log" | tail -1 || true)"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
  execs="$(sed -nE 's/^stat::number_of_executed_units: +([0-9]+)/\1/p' "$dir/log" | tail -1)"
  rate="$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$dir/log" | tail -1)"
  printf '%-18s %8s %10s %8s %8s %8s  %s\n' "$t" "$seconds" "${rate:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$status"
done

# Damaged real run files at scale: 1,000 by default, every 25th also through
# `pdepth info` and `pdepth check` (each starts LibTorch, about a second).
if [[ ! -f "$root/build/build.ninja" ]]; then
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPDS_BUILD_TESTS=ON >/dev/null
fi
ninja -C "$root/build" tst_mutation pdepth >/dev/null
echo
if PDS_MUTATION_COUNT="${PDS_MUTATION_COUNT:-1000}" PDS_MUTATION_CLI_EVERY=25 \
   QTEST_FUNCTION_TIMEOUT=7200000 PDS_PDEPTH="$root/build/bin/pdepth" \
   PDS_MUTATION_REPORT="$root/build/mutation-report.md" "$root/build/tests/tst_mutation" >"$runs/mutation.log" 2>&1; then
  echo "mutation: ${PDS_MUTATION_COUNT:-1000} damaged run files, no crash or hang of the parent:"
  cat "$root/build/mutation-report.md"
else
  echo "mutation: FAILED, see $runs/mutation.log"
  tail -20 "$runs/mutation.log"
  mutation_failed=1
fi

if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    echo
    echo "=== $t crashed; log: $runs/$t/log; input(s): $(ls "$runs/$t/crashes" 2>/dev/null | tr '\n' ' ')"
    grep -E -m1 -A30 'ERROR: |runtime error|invariant broken|terminate called|deadly signal' "$runs/$t/log" || tail -40 "$runs/$t/log"
  done
  echo
  echo "fuzz: ${#failed[@]} target(s) crashed: ${failed[*]}" >&2
  echo "Reproduce with: $build/bin/<target> <crash file>" >&2
  exit 1
fi
if ((${mutation_failed:-0})); then
  echo "fuzz: the damaged-run-file test failed" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s without a crash"

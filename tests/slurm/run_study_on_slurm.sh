#!/usr/bin/env bash
# A 4-member study submitted to a real Slurm cluster started on this machine
# (scripts/slurm-local.sh), at most 2 members at once: its study file must be
# the same, value for value, as the study run here with `pdepth study`; then a
# member cancelled with scancel mid-run, resubmitted, must give it again; and
# the local study submitted with the same relative -o reuses every member.
# Exits 77 (skipped) without Slurm, munge or root. Always stops the daemons.
# Usage: run_study_on_slurm.sh <pdepth> <source dir>
set -euo pipefail
pdepth="$1"
src="$2"
python=/usr/bin/python3

for tool in sbatch squeue scancel munged slurmctld slurmd; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/install-deps.sh --slurm)"; exit 77; }
done
[[ $(id -u) -eq 0 ]] || { echo "SKIP: the local Slurm daemons run as root"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pds-slurm-test.XXXXXX")
export PDS_SLURM_DIR="$work/cluster" PDS_SLURM_PORT="${PDS_SLURM_PORT:-6917}"
cleanup() {
  "$src/scripts/slurm-local.sh" stop || true
  rm -rf "$work"
}
trap cleanup EXIT
eval "$("$src/scripts/slurm-local.sh" start)"

cd "$work"
study=(study --dataset fashion-mnist --limit 1500 --test-limit 200 --model mlp --mlp-units 64 --mlp-layers 2
       --epochs 6 --threads 1 --device cpu --models 4 --k 5)
slurm=(--slurm --slurm-at-once 2 --slurm-cpus 1)

t0=$(date +%s.%N)
"$pdepth" "${study[@]}" --jobs 2 -o local.h5 >/dev/null 2>local.err || { cat local.err; exit 1; }
t1=$(date +%s.%N)

# Waits until no job of `$1` (comma-separated ids) is queued or running.
wait_jobs() {
  for _ in $(seq 1 600); do
    if [[ -z "$(squeue --noheader -r -j "$1" -t PENDING,RUNNING,CONFIGURING,COMPLETING,REQUEUED -o %i 2>/dev/null)" ]]; then
      return 0
    fi
    sleep 0.5
  done
  echo "FAIL: jobs $1 still queued after 5 minutes"; squeue -r; exit 1
}

submit() { # submits the study to `$1`, prints the array and merge job ids
  "$pdepth" "${study[@]}" "${slurm[@]}" -o "$1" >submit.out
  cat submit.out >&2
  sed -n 's/.*job array \([0-9]*\).*merge job \([0-9]*\).*/\1 \2/p; s/^all .*merge job \([0-9]*\).*/- \1/p' submit.out
}

compare() {
  "$python" "$src/tests/slurm/compare_studies.py" local.h5 "$1" || { echo "FAIL: $1 differs from the local study"; exit 1; }
}

# 1. The whole study as an array and a merge job.
t2=$(date +%s.%N)
read -r array merge < <(submit slurm.h5)
wait_jobs "$array,$merge"
t3=$(date +%s.%N)
"$pdepth" status slurm.h5
[[ -f slurm.h5 ]] || { echo "FAIL: no study file"; cat slurm.members/merge.log; exit 1; }
compare slurm.h5
"$pdepth" status slurm.h5 | grep -q "4 finished" || { echo "FAIL: status does not say 4 finished"; exit 1; }
printf 'slurm overhead: submission to merge %.1f s, pdepth study --jobs 2 %.1f s\n' \
  "$(echo "$t3 - $t2" | bc)" "$(echo "$t1 - $t0" | bc)"

# 2. A member cancelled mid-run, then the same command again. A small member
# can finish in the moment between its first epoch's line and the cancel
# reaching it; the member is stopped (SIGSTOP) the moment its line appears,
# before scancel (which sends SIGCONT and SIGTERM), and the whole step is
# tried again with a fresh file if the member still finished first.
cancelled=
for attempt in 1 2 3; do
  out=again$attempt.h5
  log=again$attempt.members/m001.log
  read -r array merge < <(submit "$out")
  for _ in $(seq 1 6000); do grep -q "epoch 1:" "$log" 2>/dev/null && break; sleep 0.02; done
  grep -q "epoch 1:" "$log" || { echo "FAIL: member m001 never started"; exit 1; }
  pkill -STOP -f -- "again$attempt.members/m001.h5" || true
  scancel "${array}_1"
  wait_jobs "$array,$merge"
  "$pdepth" status "$out" | tee status.out
  if grep -q "m001  failed" status.out; then cancelled=$out; break; fi
  grep -q "m001  finished" status.out || { echo "FAIL: status reports the cancelled member neither failed nor finished"; exit 1; }
  echo "member m001 finished before the cancel reached it (attempt $attempt); again"
done
[[ -n "$cancelled" ]] || { echo "FAIL: status does not report the cancelled member"; exit 1; }
[[ ! -f "$cancelled" ]] || { echo "FAIL: merged although a member was cancelled"; exit 1; }
read -r array2 merge2 < <(submit "$cancelled")
grep -q "submitted 1 members" submit.out || { echo "FAIL: resubmission did not submit only the cancelled member"; exit 1; }
wait_jobs "$array2,$merge2"
grep -q "resum" "$log" || { echo "FAIL: the cancelled member was not continued"; cat "$log"; exit 1; }
compare "$cancelled"

# 3. The study trained here with the same relative -o, submitted: every member
# is reused (nothing retrained), and the merge job writes it again.
read -r array3 merge3 < <(submit local.h5)
grep -q "^all 4 members are finished" submit.out || { echo "FAIL: members trained here were not reused"; exit 1; }
wait_jobs "$merge3"
"$python" "$src/tests/slurm/compare_studies.py" slurm.h5 local.h5 || { echo "FAIL: the re-merged study differs"; exit 1; }
"$pdepth" status --json local.h5 | "$python" -c 'import json,sys; s=json.load(sys.stdin); assert s["merged"] and s["counts"]["finished"] == 4, s'

# 4. A tiny sweep with distilled students: the plain members as one array, the
# students as a second array after it, and the merge (the same sweep command
# without --slurm) trains nothing more.
"$pdepth" sweep --dataset fashion-mnist --limit 600 --test-limit 100 --model mlp --mlp-layers 1 --sizes 16,32 \
  --models 2 --epochs 2 --threads 1 --device cpu --k 3 --distill "${slurm[@]}" -o sweep.h5 | tee submit.out
read -r sarray slater smerge < <(sed -n 's/.*job array \([0-9]*\) and after it \([0-9]*\).*merge job \([0-9]*\).*/\1 \2 \3/p' submit.out)
[[ -n "$smerge" ]] || { echo "FAIL: the sweep was not submitted as two arrays and a merge"; exit 1; }
wait_jobs "$sarray,$slater,$smerge"
"$pdepth" status sweep.h5 | tee status.out
grep -q "6 members: 6 finished" status.out || { echo "FAIL: the sweep's members did not all finish"; exit 1; }
grep -q "0 members trained, 6 reused" sweep.members/merge.log || { echo "FAIL: the sweep's merge trained members"; cat sweep.members/merge.log; exit 1; }
"$pdepth" info sweep.h5 >/dev/null || { echo "FAIL: no sweep file"; exit 1; }
echo "PASS"

#!/usr/bin/env bash
# The rotation-benchmark grid of docs/findings.md: symmetric 20/40/60 % and
# Gaussian sigma_max 30 target noise, ConFrag against small-loss, no
# selection and the clean-target model (MRAE's reference), over 3 seeds; one
# run file per (noise, seed) with all four methods, then one table of the
# last epoch's selection rate, ERR, test MAE and MRAE (mean ± sd over seeds).
# Every setting can be overridden from the environment, e.g.
#   POOL=1820 TEST=910 EPOCHS=10 scripts/regression_grid.sh
# (scripts/gpu_regression.sh runs it larger on a GPU). Runs already in
# OUT are kept (a stopped grid continues where it was); the table is
# OUT/table.md and OUT/table.csv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pdepth="${PDEPTH:-$root/build/bin/pdepth}"
out="${OUT:-$root/regression-grid}"
pool="${POOL:-1820}"        # train images: 20 per angle
test="${TEST:-910}"         # test images: 10 per angle
epochs="${EPOCHS:-10}"
seeds="${SEEDS:-1 2 3}"
device="${DEVICE:-cpu}"
threads="${THREADS:-1}"
batch="${BATCH:-64}"
dataset="${DATASET:-fashion-mnist}"
only="${NOISES:-sym20 sym40 sym60 gauss30}" # a subset, e.g. NOISES=sym40
keep_gaussian="${KEEP_GAUSSIAN:-0.5}" # small-loss has no noise rate to derive its keep rate from under Gaussian noise
read -r -a model <<<"${MODEL:---model cnn --cnn-k 4}"
read -r -a extra <<<"${EXTRA:-}"
mkdir -p "$out"
{
  echo "pool $pool, test $test, epochs $epochs, seeds $seeds, device $device, threads $threads, model ${model[*]}"
  echo "start $(date -u +%FT%TZ), load: $(uptime | sed 's/.*load average: //')"
} >>"$out/log.txt"
noises=("sym20:--noise symmetric --noise-fraction 0.2"
  "sym40:--noise symmetric --noise-fraction 0.4"
  "sym60:--noise symmetric --noise-fraction 0.6"
  "gauss30:--noise gaussian --sigma-max 30 --keep $keep_gaussian")
for entry in "${noises[@]}"; do
  name="${entry%%:*}"
  [[ " $only " == *" $name "* ]] || continue
  read -r -a noise <<<"${entry#*:}"
  for seed in $seeds; do
    file="$out/$name-s$seed.h5"
    if [[ -f $file ]]; then
      continue
    elif [[ -f $file.part ]]; then
      cmd=("$pdepth" resume "$file")
    else
      cmd=("$pdepth" train --task regression --dataset "$dataset" --limit "$pool" --test-limit "$test"
        "${noise[@]}" --noise-seed "$seed" --select confrag,small-loss,none,clean "${model[@]}" --optimizer adam
        --lr 0.001 --epochs "$epochs" --batch "$batch" --device "$device" --threads "$threads" --seed "$seed"
        "${extra[@]}" -o "$file")
    fi
    t0=$SECONDS
    # Stopped from outside (timeout, Ctrl-C), the run is interrupted cleanly and resumes next time.
    "${cmd[@]}" >"$out/$name-s$seed.log" 2>&1 &
    child=$!
    trap 'kill -INT $child 2>/dev/null; wait $child; exit 130' INT TERM
    wait $child || echo "$name seed $seed: pdepth failed (exit $?), see $name-s$seed.log" >>"$out/log.txt"
    trap - INT TERM
    echo "$name seed $seed: $((SECONDS - t0)) s, load: $(uptime | sed 's/.*load average: //')" >>"$out/log.txt"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import glob, math, os, sys
import h5py
out = sys.argv[1]
rows = {}
for path in sorted(glob.glob(os.path.join(out, "*-s*.h5"))):
    noise = os.path.basename(path).rsplit("-s", 1)[0]
    with h5py.File(path, "r") as f:
        if f.attrs["status"] != "complete":
            continue
        for m in f.attrs["methods"]:
            g = f["methods/" + m]
            rows.setdefault((noise, m), []).append((g["curves/selection_rate"][-1], g["curves/err"][-1],
                                                    g.attrs["mae"], g.attrs.get("mrae", math.nan)))
def stat(values):
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "–", math.nan
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return mean, sd
order = ["sym20", "sym40", "sym60", "gauss30"]
methods = ["confrag", "small-loss", "none", "clean"]
md = ["| noise | method | seeds | selected | ERR | test MAE | MRAE |", "|---|---|---|---|---|---|---|"]
csv = ["noise,method,seeds,selected_mean,selected_sd,err_mean,err_sd,mae_mean,mae_sd,mrae_mean,mrae_sd"]
for noise in order:
    for m in methods:
        r = rows.get((noise, m))
        if not r:
            continue
        cols = [stat([x[i] for x in r]) for i in range(4)]
        fmt = lambda c, scale=1.0, unit="", digits=3: "–" if c[0] == "–" else f"{c[0] * scale:.{digits}f}{unit} ± {c[1] * scale:.{digits}f}"
        md.append(f"| {noise} | {m} | {len(r)} | {fmt(cols[0], 100, ' %', 1)} | {fmt(cols[1])} | {fmt(cols[2], digits=2)} | {fmt(cols[3], digits=1, unit=' %')} |")
        csv.append(",".join([noise, m, str(len(r))] + ["," if c[0] == "–" else f"{c[0]:.6g},{c[1]:.6g}" for c in cols]))
open(os.path.join(out, "table.md"), "w").write("\n".join(md) + "\n")
open(os.path.join(out, "table.csv"), "w").write("\n".join(csv) + "\n")
print("\n".join(md))
PY
echo "end $(date -u +%FT%TZ), load: $(uptime | sed 's/.*load average: //')" >>"$out/log.txt"

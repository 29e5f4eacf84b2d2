#!/usr/bin/env bash
# Everything the GPU machine should measure, in one call: build with its
# LibTorch (GUI and tests off), then the full Fashion-MNIST ResNet-18 run, the
# training-throughput and k-NN benchmarks against its PyTorch, and a
# ResNet-18 study of MODELS members (JOBS at once) timed against the PyTorch
# study reference (bench/study_reference.py on the same pool and halves).
# Results go to $OUT (or ./gpu-results).
# STUDY_ONLY=1 skips the single-run comparisons (the study rows then get the
# whole budget); STUDY_EPOCHS (15, the preset's) sizes both sides of the study.
# Prepare on the Debian machine first: scripts/prepare-offline-deps.sh, and
# copy /usr/share/datasets/fashion-mnist/*.gz into .data/fashion-mnist/;
# carry .deps and .data.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/gpu-results}"
models="${MODELS:-16}"
jobs="${JOBS:-4}"
mkdir -p "$out"
cd "$root"
# The device brings back only a few files, so on any exit everything small is
# gathered into results.txt (with the end of the build log when it failed).
gather() {
  cd "$out" || return
  for f in gpu.txt steps.txt resnet18.log resnet18-info.txt train-reference.json train-ours.log knn.json \
    study.log study-info.txt study-report.md study-member0.txt study-reference.log; do
    [[ -f $f ]] && { echo "=== $f"; cat "$f"; }
  done >results.txt
  [[ -f build.log ]] && ! grep -q "^ninja: no work\|Linking CXX executable bin/pdepth" build.log && tail -n 60 build.log >>results.txt
  return 0
}
trap gather EXIT
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$out/gpu.txt"
# Each step has its own time limit, so one slow step still leaves the others' results.
step() { local limit=$1; shift; timeout "$limit" "$@" || echo "step failed or timed out ($limit s): $*" >>"$out/steps.txt"; }
start=$SECONDS
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DPDS_BUILD_GUI=OFF -DPDS_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')" >"$out/configure.log" 2>&1
ninja -C build-gpu -j"$(nproc)" >"$out/build.log" 2>&1
echo "build: $((SECONDS - start)) s" >>"$out/steps.txt"
bin=build-gpu/bin
# libstb comes from .deps (scripts/prepare-offline-deps.sh), not the system.
export LD_LIBRARY_PATH="$root/.deps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
data=(--data-path "$root/.data/fashion-mnist" --dataset fashion-mnist)
if [[ ${STUDY_ONLY:-0} != 1 ]]; then
{ time step 150 "$bin/pdepth" train "${data[@]}" --preset gpu-full -o "$out/resnet18.h5"; } >"$out/resnet18.log" 2>&1
"$bin/pdepth" info "$out/resnet18.h5" >"$out/resnet18-info.txt" 2>&1 || true
rm -f "$out"/resnet18.h5 # the summary above is what comes back
# Training throughput, 3 epochs each: PyTorch eager as written, PyTorch with
# the layout and autotuning pdepth uses, pdepth as shipped, and pdepth with both
# switched off (what is left is the multi-tensor optimiser).
ref=(python3 bench/train_reference.py --data "$root/.data/fashion-mnist" --model resnet18 --limit 0 --test-limit 0
  --epochs 3 --batch 512 --lr 0.1 --eval-batch 4096 --amp --device cuda)
step 60 "${ref[@]}" >"$out/train-reference.json" 2>&1
step 60 "${ref[@]}" --channels-last --cudnn-benchmark >>"$out/train-reference.json" 2>&1
{ time step 60 "$bin/pdepth" train "${data[@]}" --preset gpu-full --epochs 3 -o "$out/resnet18-3ep.h5"; } >"$out/train-ours.log" 2>&1
{ time step 60 "$bin/pdepth" train "${data[@]}" --preset gpu-full --epochs 3 --memory-format contiguous \
  --no-cudnn-benchmark -o "$out/resnet18-3ep-nchw.h5"; } >>"$out/train-ours.log" 2>&1
# Resume on CUDA: the NCHW run above stopped (SIGINT) after its first epoch and
# resumed, against the uninterrupted one; a second uninterrupted run shows how
# far two identical CUDA runs already differ (cuDNN's atomics).
same=(train "${data[@]}" --preset gpu-full --epochs 3 --memory-format contiguous --no-cudnn-benchmark)
"$bin/pdepth" "${same[@]}" -o "$out/resume.h5" >"$out/resume.log" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -q " epoch 1:" "$out/resume.log" && break; sleep 0.1; done
kill -INT "$pid" 2>/dev/null || true
wait "$pid" || true
step 60 "$bin/pdepth" resume "$out/resume.h5" >>"$out/resume.log" 2>&1
step 60 "$bin/pdepth" "${same[@]}" -o "$out/again.h5" >>"$out/resume.log" 2>&1
for f in resume again resnet18-3ep-nchw; do "$bin/pdepth" export "$out/$f.h5" --csv "$out/$f.csv" >/dev/null 2>&1 || true; done
rows() { diff "$1" "$2" | grep -c '^<' || true; }
{ echo "CUDA resume, 3 epochs stopped after the first and resumed: $(rows "$out/resume.csv" "$out/resnet18-3ep-nchw.csv") of $(($(wc -l <"$out/resume.csv") - 1)) example rows differ from the uninterrupted run"
  echo "two uninterrupted CUDA runs: $(rows "$out/again.csv" "$out/resnet18-3ep-nchw.csv") rows differ"; } >>"$out/steps.txt"
rm -f "$out"/*.csv "$out"/resume.h5 "$out"/again.h5
fi
# The k-NN comparison (measured before; unchanged since) only when asked for: KNN=1.
if [[ ${KNN:-0} == 1 ]]; then
  step 60 "$bin/bench_knn" 10000 60000 512 30 16 "$out/knn.raw" >"$out/knn.json" 2>&1
  step 60 python3 bench/knn_reference.py 10000 60000 512 30 16 "$out/knn.raw" cuda >>"$out/knn.json" 2>&1
  rm -f "$out/knn.raw"
fi
echo "before study: $((SECONDS - start)) s" >>"$out/steps.txt"
# The study and its PyTorch reference share what is left of a ${BUDGET:-530} s
# budget: the study a third, the reference (members one after another) the rest.
left=$(( ${BUDGET:-530} - (SECONDS - start) ))
study_limit=$(( left / 3 ))
((study_limit < 60)) && study_limit=60
study_shape=(--preset gpu-full --models "$models" --epochs "${STUDY_EPOCHS:-15}")
{ time step "$study_limit" "$bin/pdepth" study "${data[@]}" "${study_shape[@]}" --jobs "$jobs" -o "$out/study.h5"; } >"$out/study.log" 2>&1
ref_limit=$(( ${BUDGET:-530} - (SECONDS - start) - 20 ))
((ref_limit < 60)) && ref_limit=60
[[ -f "$out/study.h5" ]] && { time step "$ref_limit" python3 bench/study_reference.py --study "$out/study.h5" \
  --data "$root/.data/fashion-mnist" --device cuda --amp --threads "$(nproc)" --compare; } >"$out/study-reference.log" 2>&1
"$bin/pdepth" info "$out/study.h5" >"$out/study-info.txt" 2>&1 || true
python3 scripts/study_report.py "$out/study.h5" >"$out/study-report.md" 2>&1 || true
tail -n 3 "$out"/study.members/m000.log >"$out/study-member0.txt" 2>&1 || true
rm -rf "$out"/study.members "$out"/*.h5 "$out"/*.part
echo "total: $((SECONDS - start)) s" >>"$out/steps.txt"

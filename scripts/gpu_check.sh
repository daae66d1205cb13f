#!/usr/bin/env bash
# On a machine with an NVIDIA GPU (compute capability >= 8.0, driver >= 580)
# and the CUDA 13 toolkit in /usr/local/cuda: builds mtrec with the CUDA
# backend into build-gpu/, runs every backend test on "cuda", checks that a
# checkpoint trained on the GPU evaluates the same on the CPU, and times a
# training run on ML-100K-sized synthetic data on both backends. Prints a
# short report; exits non-zero if a step fails.
#   scripts/gpu_check.sh [epochs]      (default 3; nvcc: $CUDACXX or /usr/local/cuda/bin/nvcc)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"
nvcc="${CUDACXX:-/usr/local/cuda/bin/nvcc}"
report=()
say() { echo "gpu_check: $*"; report+=("$*"); }

scripts/install_deps.sh
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total \
  --format=csv,noheader | sed 's/^/gpu_check: device: /' || echo "gpu_check: no nvidia-smi"
start=$(date +%s)
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DMTREC_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" \
  -DMTREC_BUILD_TESTS=ON >/dev/null
cmake --build build-gpu -j"$(nproc)" --target mtrec mtrec_tests
say "build: $(($(date +%s) - start)) s"

# Every backend test on "cuda" (its names end in /cuda or /cuda_<case>;
# cuda-host's end in /cuda_host...). A skipped test means no usable device.
set +e
build-gpu/mtrec_tests --gtest_filter='AllBackends/*/cuda:AllBackends/*/cuda_*-AllBackends/*/cuda_host*' \
  --gtest_brief=1 >build-gpu/gpu_tests.log 2>&1
tests_rc=$?
set -e
tail -n 5 build-gpu/gpu_tests.log
passed=$(grep -c '^\[       OK \]' build-gpu/gpu_tests.log || true)
skipped=$(grep -c '^\[  SKIPPED \]' build-gpu/gpu_tests.log || true)
say "backend tests on cuda: exit $tests_rc, $(grep -o '[0-9]* tests\? ran' build-gpu/gpu_tests.log | head -1), skipped lines $skipped, passed lines $passed"

# ML-100K-sized synthetic ratings (943 users, 1682 items, 100,000 ratings).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { srand(7); for (k = 0; k < 100000; ++k) printf "%d\t%d\t%d\t%d\n", int(rand() * 943) + 1, int(rand() * 1682) + 1, int(rand() * 5) + 1, 880000000 + k }' \
  >"$tmp/u.data"
run() {  # run NAME FLAGS...: trains, prints wall seconds
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s.%N)
  build-gpu/mtrec train --dataset "$tmp/u.data" --epochs "$epochs" --seed 3 --logdir "$tmp/$name" \
    --save "$tmp/$name.mtrec" "$@" >"$tmp/$name.out" 2>&1
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}
cpu_s=$(run cpu)
gpu_s=$(run gpu --gpu)
say "train $epochs epochs, ML-100K-sized data: cpu $cpu_s s, gpu $gpu_s s (wall, incl. evaluation)"
say "last epoch cpu: $(tail -n 1 "$tmp/cpu/metrics.jsonl" | cut -c1-160)"
say "last epoch gpu: $(tail -n 1 "$tmp/gpu/metrics.jsonl" | cut -c1-160)"
# A GPU-trained checkpoint evaluated on the CPU and on the GPU.
eval_cpu=$(build-gpu/mtrec evaluate --model "$tmp/gpu.mtrec" --format json)
eval_gpu=$(build-gpu/mtrec evaluate --model "$tmp/gpu.mtrec" --format json --gpu)
say "gpu checkpoint evaluated on cpu: $(echo "$eval_cpu" | cut -c1-160)"
say "gpu checkpoint evaluated on gpu: $(echo "$eval_gpu" | cut -c1-160)"

echo
echo "=== gpu_check report ==="
printf '%s\n' "${report[@]}"
exit "$tests_rc"

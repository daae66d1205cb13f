#!/usr/bin/env bash
# CI: builds the CUDA variant of the mtrec CLI (nvcc, sm_80 and sm_90) into
# build-cuda/ and checks `mtrec train --gpu` on this machine: without a usable
# GPU it must be a one-line error saying what is missing, exit code 1; with
# one it must train. (The backend's code itself is tested without a GPU as
# "cuda-host" by scripts/test.sh.)
#   scripts/cuda_build_check.sh        (nvcc: $CUDACXX or /usr/local/cuda/bin/nvcc)
set -euo pipefail
cd "$(dirname "$0")/.."
nvcc="${CUDACXX:-/usr/local/cuda/bin/nvcc}"
if [ ! -x "$nvcc" ]; then
  echo "cuda_build_check: no nvcc at $nvcc: the CUDA build is not checked" >&2
  exit 0
fi
start=$(date +%s)
cmake -S . -B build-cuda -DCMAKE_BUILD_TYPE=Release -DMTREC_CUDA=ON \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DMTREC_BUILD_TESTS=OFF -DMTREC_WERROR=ON >/dev/null
cmake --build build-cuda -j"$(nproc)" --target mtrec
built=$(date +%s)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 50 users x 40 items, 400 ratings (u.data layout): enough for one epoch.
awk 'BEGIN { for (k = 0; k < 400; ++k) printf "%d\t%d\t%d\t%d\n", k % 50 + 1, (k * 7) % 40 + 1, k % 5 + 1, 880000000 + k }' \
  >"$tmp/u.data"
set +e
build-cuda/mtrec train --gpu --dataset "$tmp/u.data" --epochs 1 --logdir "$tmp/run" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
  echo "cuda_build_check: mtrec train --gpu trained on this machine's GPU"
elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^mtrec train: --gpu: cuda: ' "$tmp/err"; then
  echo "cuda_build_check: without a usable GPU, exit 1: $(cat "$tmp/err")"
  [ ! -e "$tmp/run" ] || { echo "cuda_build_check: --gpu left a run folder" >&2; exit 1; }
else
  echo "cuda_build_check: mtrec train --gpu exited $rc with:" >&2
  cat "$tmp/err" >&2
  exit 1
fi
echo "cuda_build_check: CUDA build $((built - start)) s, check $(($(date +%s) - built)) s"

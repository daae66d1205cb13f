#!/usr/bin/env bash
# CI: builds the CUDA variant of the mtrec CLI (nvcc, sm_80 and sm_90) and
# checks `mtrec train --gpu` on this machine: without a usable GPU it must be a
# one-line error saying what is missing, exit code 1; with one it must train.
# (The backend's own code is tested without a GPU as "cuda-host" by scripts/test.sh.)
# Then it builds the GPU bundle (scripts/gpu_bundle.sh BUILD_DIR/gpu-bundle
# BUILD_DIR, from the same build, printing its size) and runs
# scripts/gpu_check.sh --prebuilt on it, which without a GPU must be its one
# line "gpu_check: no GPU on this machine ...".
#   scripts/cuda_build_check.sh [BUILD_DIR]    (default build/; nvcc: $CUDACXX or /usr/local/cuda/bin/nvcc)
# A BUILD_DIR without a CMake cache (e.g. build-cuda) gets a fresh Release
# build of the CLI alone (about 5 min on 2 cores instead of about 2).
# It turns MTREC_CUDA on in BUILD_DIR, so after scripts/test.sh only the .cu
# files and the backend registry compile; at the end MTREC_CUDA is set back
# off (BUILD_DIR/mtrec stays the CUDA build until the next build).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
nvcc="${CUDACXX:-/usr/local/cuda/bin/nvcc}"
if [ ! -x "$nvcc" ]; then
  echo "cuda_build_check: no nvcc at $nvcc: the CUDA build is not checked" >&2
  exit 0
fi
start=$(date +%s)
fresh=()
[ -f "$dir/CMakeCache.txt" ] || fresh=(-DCMAKE_BUILD_TYPE=Release -DMTREC_WERROR=ON -DMTREC_BUILD_TESTS=OFF)
cmake -S . -B "$dir" "${fresh[@]}" -DMTREC_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" >/dev/null
cmake --build "$dir" -j"$(nproc)" --target mtrec
built=$(date +%s)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; cmake -S . -B "$dir" -DMTREC_CUDA=OFF >/dev/null' EXIT
# 50 users x 40 items, 400 ratings (u.data layout): enough for one epoch.
awk 'BEGIN { for (k = 0; k < 400; ++k) printf "%d\t%d\t%d\t%d\n", k % 50 + 1, (k * 7) % 40 + 1, k % 5 + 1, 880000000 + k }' \
  >"$tmp/u.data"
set +e
"$dir/mtrec" train --gpu --dataset "$tmp/u.data" --epochs 1 --logdir "$tmp/run" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
  echo "cuda_build_check: mtrec train --gpu trained on this machine's GPU"
elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  grep -q '^mtrec train: --gpu: cuda: ' "$tmp/err"; then
  echo "cuda_build_check: without a usable GPU, exit 1: $(cat "$tmp/err")"
  [ ! -e "$tmp/run" ] || { echo "cuda_build_check: --gpu left a run folder" >&2; exit 1; }
else
  echo "cuda_build_check: mtrec train --gpu exited $rc with:" >&2
  cat "$tmp/err" >&2
  exit 1
fi
checked=$(date +%s)

scripts/gpu_bundle.sh "$dir/gpu-bundle" "$dir"
bundled=$(date +%s)
set +e
scripts/gpu_check.sh --prebuilt "$dir/gpu-bundle" >"$tmp/gpu_check" 2>&1
rc=$?
set -e
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/gpu_check")" -eq 1 ] &&
  grep -q '^gpu_check: no GPU on this machine' "$tmp/gpu_check"; then
  echo "cuda_build_check: $(cat "$tmp/gpu_check")"
elif [ "$rc" -eq 0 ] && grep -q '^gpu_check: every check passed' "$tmp/gpu_check"; then
  cat "$tmp/gpu_check"
else
  echo "cuda_build_check: scripts/gpu_check.sh --prebuilt exited $rc with:" >&2
  cat "$tmp/gpu_check" >&2
  exit 1
fi
echo "cuda_build_check: CUDA build $((built - start)) s, check $((checked - built)) s," \
  "bundle $((bundled - checked)) s, gpu_check $(($(date +%s) - bundled)) s"

#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan+UBSan) into build-fuzz/ and runs
# each for SECONDS (default 60), all at once, starting from its seed corpus in
# fuzz/corpus/; then prints the end of each one's log (build-fuzz/<target>.log).
# New inputs go to build-fuzz/corpus/<target>/ (the committed seeds stay as they
# are); a crash leaves build-fuzz/crash-* and fails the script.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scripts/install_deps.sh
# fuzz_serve_routes links the g++ Release library of build/ (fuzz/CMakeLists.txt):
# built by scripts/build.sh, as CI's scripts/test.sh did (then only the backend
# registry recompiles, after scripts/cuda_build_check.sh switched CUDA off).
[ -f build/CMakeCache.txt ] ||
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMTREC_BUILD_TESTS=ON -DMTREC_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)" --target mtrec_core >/dev/null
# -g1 (line tables only, as scripts/sanitize.sh): file:line in every report
# for less compile time than -g.
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTREC_BUILD_FUZZERS=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DMTREC_FUZZ_MODEL_BUILD="$PWD/build" \
  -DMTREC_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build build-fuzz -j"$(nproc)"
targets=()
pids=()
for source in fuzz/fuzz_*.cc; do
  target="$(basename "$source" .cc)"
  mkdir -p "build-fuzz/corpus/$target"
  (cd build-fuzz && exec "./$target" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
     -print_final_stats=1 "corpus/$target" "../fuzz/corpus/$target" >"$target.log" 2>&1) &
  targets+=("$target")
  pids+=($!)
done
failed=0
for k in "${!targets[@]}"; do
  status=0
  wait "${pids[$k]}" || status=$?
  echo "fuzz: ${targets[$k]} for ${seconds}s: exit $status"
  tail -12 "build-fuzz/${targets[$k]}.log"
  [ "$status" -eq 0 ] || failed=1
done
exit "$failed"

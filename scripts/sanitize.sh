#!/usr/bin/env bash
# Builds the library, the CLI and the test files it needs with ASan+UBSan
# (the test files with ASan only) into build-asan/ and runs the tests of the
# library's API and of every backend under them (CI runs this after
# scripts/test.sh). Tests that cap the address space (ulimit -v) or
# kill processes are left out: ASan reserves terabytes of virtual memory.
#   scripts/sanitize.sh [extra ctest -R regex]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
pattern="${1:-^(ModelApi|Api|Example|AllBackends|Backend|Checkpoint|ConfigJson|LoadedModel|FoldIn|Embeddings|Mrr|Ranking|IdMap|Interactions|Optimizer|EnumNames|TrainCli|EarlyStopping|Resume|ItemIndex|ScratchPool)}"
# -g1 (line tables only): about 2/3 of the compile time of RelWithDebInfo's -g
# on these 2-core machines, with file:line in every sanitizer report. Not -O1:
# tests that two scoring paths agree bit for bit rely on -O2's vectorisation.
# MTREC_TEST_FILTER: mtrec_tests holds only the test files that the pattern
# selects tests from (tests/CMakeLists.txt), about half of them.
# MTREC_FRONT_END_NO_SANITIZE=undefined, MTREC_SERVE_SANITIZE=OFF: the test
# files and the CLI have ASan, not UBSan (about half their compile time), the
# HTTP server's library neither (scripts/fuzz.sh runs it under both); the
# library they test has both (cmake/Sanitizers.cmake).
# MTREC_SANITIZE_COLD_O0=ON: the library's files that parse, read, write and
# describe (api, data, io, report, run, train) and the CLI at -O0, each alone;
# the arithmetic the tests compare bit for bit stays at -O2. On a 2-vCPU Zen 3
# VM the build took 6 min 19 s (10.3 CPU min) instead of 9 min 8 s (14.7), and
# the tests 38 s instead of 48.
# CMAKE_UNITY_BUILD: every target's files compiled 8 to a unit, so the JSON
# library's templates are instantiated and instrumented once per unit, not
# once per file (so names in one file's anonymous namespace must not repeat
# another's of the same target). -fno-sanitize=alignment,null,object-size:
# UBSan's checks of every access were about half of a file's compile time
# (tensor_file.cc 44 CPU s with them, 18 without; ASan alone 16): alignment
# is UB that x86 executes as intended, and ASan already reports an access
# through a null pointer or out of its object's bounds.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DMTREC_BUILD_TESTS=ON \
  -DMTREC_SANITIZE=address,undefined -DCMAKE_CXX_FLAGS="-fno-sanitize=alignment,null,object-size" \
  -DCMAKE_UNITY_BUILD=ON -DMTREC_WERROR=ON -DMTREC_PYTHON=OFF \
  -DMTREC_TEST_FILTER="$pattern" -DMTREC_FRONT_END_NO_SANITIZE=undefined \
  -DMTREC_SERVE_SANITIZE=OFF -DMTREC_SANITIZE_COLD_O0=ON >/dev/null
# Only what the selected tests run (not the MPI tests, the fuzz replays, the
# HTTP handlers' tests: scripts/fuzz.sh runs those handlers under ASan+UBSan).
cmake --build build-asan -j"$(nproc)" --target mtrec_tests mtrec train_in_memory
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -R "$pattern"

#!/usr/bin/env bash
# Builds mtrec as scripts/build.sh does (after it, nothing compiles) and runs
# the whole test suite. Extra arguments go to scripts/build.sh (CMake).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh "$@"
ctest --test-dir build --output-on-failure -j"$(nproc)"

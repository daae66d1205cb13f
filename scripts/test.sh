#!/usr/bin/env bash
# Builds mtrec (scripts/build.sh, warnings as errors) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh -DMTREC_BUILD_TESTS=ON -DMTREC_WERROR=ON "$@"
ctest --test-dir build --output-on-failure -j"$(nproc)"

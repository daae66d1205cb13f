#!/usr/bin/env bash
# Installs missing build dependencies (apt), then configures and builds mtrec
# into ./build: Release (-O3, -march=native), with the test suite and warnings
# as errors, the one configuration scripts/test.sh and CI use, so that
# scripts/test.sh after this compiles nothing. Extra arguments go to CMake and
# stay in build/'s cache, e.g. scripts/build.sh -DMTREC_NATIVE=OFF (one that
# changes compile flags rebuilds what it touches).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMTREC_BUILD_TESTS=ON -DMTREC_WERROR=ON "$@" >/dev/null
cmake --build build -j"$(nproc)"

#!/usr/bin/env bash
# Installs missing build dependencies (apt), then configures and builds mtrec
# (Release, -O3, -march=native) into ./build. Extra arguments go to CMake,
# e.g. scripts/build.sh -DMTREC_NATIVE=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"

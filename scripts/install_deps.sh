#!/usr/bin/env bash
# Installs the Debian 12 packages mtrec's build and tests need, if any is missing.
# The one list of build dependencies: .ci/run and scripts/build.sh both call this.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  nlohmann-json3-dev
  # the Python package (python/): Debian's python3 with numpy and pandas, pybind11;
  # pip, setuptools and wheel for `pip install --no-build-isolation .` (pyproject.toml)
  python3-dev python3-numpy python3-pandas pybind11-dev python3-pytest
  python3-pip python3-setuptools python3-wheel
  libgtest-dev libgmock-dev
  libcurl4-openssl-dev libssl-dev libzip-dev
  # the approximate item index (src/mtrec/infer/item_index.cc; header-only)
  libhnswlib-dev
  # `mtrec serve`'s HTTP server (src/serve/); wrk drives bench/serve/; Node.js
  # runs the explorer page's script in its test (tests/serve/explorer_test.js)
  libcpp-httplib-dev wrk nodejs
  # the explorer page in a real browser (tests/serve/browser_test.py)
  chromium chromium-driver python3-selenium
  # test-only: the TensorBoard test decodes event files independently; the
  # data layer's fuzz targets build with clang's libFuzzer
  protobuf-compiler python3 python3-crc32c
  clang-14 libclang-rt-14-dev
  # data-parallel training (-DMTREC_MPI, on when found) and its mpirun tests
  libopenmpi-dev openmpi-bin
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install_deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

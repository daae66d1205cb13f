#!/usr/bin/env bash
# CI: `pip install --no-build-isolation .` (pyproject.toml, setup.py) works from
# this clone with Debian's pip and nothing downloaded: installs mtrec into a
# temporary prefix, then, from a folder outside the source tree, imports it
# there and fits a tiny model. The CMake build folder is BUILD_DIR (default
# build/, as scripts/build.sh left it: nothing compiles again).
#   scripts/pip_install_check.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(realpath "${1:-build}")"
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
MTREC_BUILD_DIR="$build" "$python" -m pip install --no-build-isolation --no-deps --no-index \
  --no-cache-dir --root-user-action=ignore --disable-pip-version-check --quiet --prefix "$tmp/prefix" .
init=$(find "$tmp/prefix" -path '*/mtrec/__init__.py')
[ -n "$init" ] || { echo "pip_install_check: no mtrec/__init__.py under the prefix" >&2; exit 1; }
site=$(dirname "$(dirname "$init")")
version=$(sed -n 's/^project(mtrec VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
cd "$tmp"
PYTHONPATH="$site" "$python" - "$site" "$version" <<'PY'
import sys
import mtrec
site, version = sys.argv[1], sys.argv[2]
assert mtrec.__file__.startswith(site), f"imported {mtrec.__file__}, not the installed package"
assert mtrec.__version__ == version, f"mtrec.__version__ {mtrec.__version__!r}, expected {version!r}"
data = mtrec.Interactions([1, 2, 2, 3], [3, 3, 4, 4])
model = mtrec.MultitaskModel(threads=1)
model.fit(data, epochs=1)
assert len(model.history) == 1, model.history
print(f"pip_install_check: mtrec {mtrec.__version__} installed and imported from {site}")
PY

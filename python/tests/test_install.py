"""`cmake --install` puts a working package (and the C++ API) under a prefix."""

import os
import subprocess
import sys

import pytest


def test_cmake_install_gives_an_importable_package(tmp_path):
    build = os.environ.get("MTREC_BUILD_DIR")
    if not build:
        pytest.skip("MTREC_BUILD_DIR is not set (run through ctest)")
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", build, "--prefix", str(prefix)], check=True,
                   capture_output=True)
    site = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / \
        "site-packages"
    for name in ("__init__.py", "_mtrec.pyi", "py.typed"):
        assert (site / "mtrec" / name).is_file(), name
    assert (prefix / "include" / "mtrec" / "model.h").is_file()
    assert (prefix / "bin" / "mtrec").is_file()
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run(
        [sys.executable, "-c",
         "import mtrec; d = mtrec.Interactions([1, 2, 2], [3, 3, 4]); "
         "m = mtrec.MultitaskModel(threads=1); m.fit(d, epochs=1); "
         "print(mtrec.__file__, len(m.history))"],
        check=True, capture_output=True, text=True, env=env, cwd=str(tmp_path)).stdout
    assert out.startswith(str(site)) and out.split()[-1] == "1"

"""pip's build of the Python package mtrec, over the project's CMake build.

pyproject.toml declares the package; this file builds its extension module:
CMake configures the project (Release; no tests) and builds the one target
_mtrec (python/CMakeLists.txt), whose file is then installed beside the
pure-Python files of python/mtrec/.

The CMake build folder is $MTREC_BUILD_DIR when set, else build-pip/ in this
folder. A folder that is already configured is reused as it is: only _mtrec
and what it links compile (none of it when it is up to date, e.g. the build/
of scripts/build.sh). A new one is configured with $CMAKE_ARGS added, e.g.
CMAKE_ARGS="-DMTREC_NATIVE=OFF". setuptools' own files go to
<that folder>/setuptools, so nothing is written into the source tree.
"""

import os
import pathlib
import re
import shlex
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
BUILD = pathlib.Path(os.environ.get("MTREC_BUILD_DIR") or ROOT / "build-pip").resolve()


def project_version():
    """The version of CMakeLists.txt's project(mtrec VERSION x.y.z)."""
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    return re.search(r"project\(mtrec VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    """Builds mtrec._mtrec with CMake and copies it where setuptools packs it."""

    def build_extension(self, ext):
        if not (BUILD / "CMakeCache.txt").is_file():
            self.spawn(["cmake", "-S", str(ROOT), "-B", str(BUILD), "-DCMAKE_BUILD_TYPE=Release",
                        "-DMTREC_BUILD_TESTS=OFF", "-DMTREC_PYTHON=ON",
                        f"-DPython3_EXECUTABLE={sys.executable}",
                        *shlex.split(os.environ.get("CMAKE_ARGS", ""))])
        self.spawn(["cmake", "--build", str(BUILD), "--target", "_mtrec",
                    f"-j{os.cpu_count() or 1}"])
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        built = BUILD / "python" / "mtrec" / target.name
        if not built.is_file():
            sys.exit(f"setup.py: {BUILD} has no {target.name}: it was configured for another "
                     f"Python than {sys.executable} (CMake's Python3_EXECUTABLE)")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.copy_file(str(built), str(target))


setup(
    version=project_version(),
    ext_modules=[Extension("mtrec._mtrec", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": str(BUILD / "setuptools")},
             "egg_info": {"egg_base": str(BUILD)}},
)

#!/usr/bin/env bash
# Builds here (nvcc, no GPU needed) what scripts/gpu_check.sh --prebuilt runs
# on a GPU machine, and gathers it into DIR (under 60 MiB, so that it travels
# with the repository to a lent machine; docs/gpu.md):
#   DIR/bin/     mtrec (CUDA build), mtrec_tests (the backend suite),
#                mtrec_bench_scale (the ML-25M-sized epoch), stripped
#   DIR/lib/     every shared library they load that is not glibc or CUDA's
#                (libzip, libcurl and its dependencies, OpenSSL, ...), from ldd
#   DIR/lib/cxx/ the C++ runtime (libstdc++, libgcc_s), used only where the
#                machine's own is older than the binaries need
#   DIR/run      the launcher: DIR/run PROGRAM ARGS... sets LD_LIBRARY_PATH
#                (DIR/lib, then the machine's CUDA toolkit for cudart/cuBLAS,
#                which are not shipped: cuBLASLt alone is 541 MB) and
#                MTREC_TESTDATA_DIR, then runs DIR/bin/PROGRAM
#   DIR/testdata/ the test suite's fixtures; DIR/BUILD_INFO, DIR/cpu_flags
#                what it was built from and for (gpu_check compares the CPU)
#   scripts/gpu_bundle.sh DIR [BUILD_DIR]
# BUILD_DIR (default build-gpu-bundle): a folder without a CMake cache gets a
# fresh build for any x86-64-v3 CPU (AVX2, FMA: every H100/H200 host;
# MTREC_NATIVE=OFF -march=x86-64-v3, about 10 min on 2 cores). An
# existing one is reused (CI passes build/, which scripts/cuda_build_check.sh
# has just built with CUDA): MTREC_CUDA and MTREC_BUILD_BENCHMARKS are turned
# on and MTREC_MPI off for the build, then set back; its -march=native binaries
# run only on a CPU with the builder's instruction set (gpu_check checks).
# Exit: 0 built (prints DIR's size), 1 a failure (a missing library, over 60 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: scripts/gpu_bundle.sh DIR [BUILD_DIR]" >&2; exit 2; }
dir=$1
build="${2:-build-gpu-bundle}"
nvcc="${CUDACXX:-/usr/local/cuda/bin/nvcc}"
limit_mib=60
[ -x "$nvcc" ] || { echo "gpu_bundle: no nvcc at $nvcc" >&2; exit 1; }

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
if [ -f "$build/CMakeCache.txt" ]; then
  restore=(-DMTREC_CUDA="$(cache_value MTREC_CUDA)" -DMTREC_MPI="$(cache_value MTREC_MPI)"
    -DMTREC_BUILD_BENCHMARKS="$(cache_value MTREC_BUILD_BENCHMARKS)")
  trap 'cmake -S . -B "$build" "${restore[@]}" >/dev/null' EXIT
  configure=()
else
  configure=(-DCMAKE_BUILD_TYPE=Release -DMTREC_WERROR=ON -DMTREC_NATIVE=OFF
    -DCMAKE_CXX_FLAGS=-march=x86-64-v3 -DMTREC_BUILD_TESTS=ON)
fi
cmake -S . -B "$build" "${configure[@]}" -DMTREC_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" \
  -DMTREC_MPI=OFF -DMTREC_BUILD_BENCHMARKS=ON >/dev/null
programs=(mtrec mtrec_tests mtrec_bench_scale)
cmake --build "$build" -j"$(nproc)" --target "${programs[@]}"

rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/lib/cxx"
for p in "${programs[@]}"; do
  strip --strip-unneeded -o "$dir/bin/$p" "$build/$p"
done
# Libraries: glibc's and the CUDA toolkit's come from the GPU machine.
system='^(linux-vdso|ld-linux-x86-64|libc|libm|libdl|libpthread|librt|libresolv|libutil)\.so'
cuda='^(libcuda|libcudart|libcublas|libcublasLt|libnvJitLink|libnvrtc)\.so'
missing=$(ldd "$dir"/bin/* | grep 'not found' | grep -Ev "$cuda" || true)
[ -z "$missing" ] || { echo "gpu_bundle: unresolved libraries: $missing" >&2; exit 1; }
ldd "$dir"/bin/* | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | sort -u |
  while read -r name path; do
    if [[ $name =~ $system || $name =~ $cuda ]]; then continue; fi
    case $name in
      libstdc++.so.* | libgcc_s.so.*) cp -L "$path" "$dir/lib/cxx/$name" ;;
      *) cp -L "$path" "$dir/lib/$name" ;;
    esac
  done
# The newest C++ runtime version the binaries ask for (the launcher compares).
cxx_needed=$(objdump -T "$dir"/bin/* | grep -o 'GLIBCXX_[0-9.]*' | sort -Vu | tail -1)
cp -r tests/testdata "$dir/testdata"
# The CPU flags the binaries need: the builder's own for -march=native, else x86-64-v3's.
if [ "$(cache_value MTREC_NATIVE)" = ON ]; then
  grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2 | tr ' ' '\n' | sed '/^$/d' | sort >"$dir/cpu_flags"
else
  printf '%s\n' avx avx2 bmi1 bmi2 f16c fma movbe sse4_1 sse4_2 ssse3 | sort >"$dir/cpu_flags"
fi
{
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "native: $(cache_value MTREC_NATIVE) (CXX flags: $(cache_value CMAKE_CXX_FLAGS))"
  echo "nvcc: $("$nvcc" --version | grep -o 'release [0-9.]*')"
  echo "cxx_needed: $cxx_needed"
} >"$dir/BUILD_INFO"

cat >"$dir/run" <<'EOF'
#!/usr/bin/env bash
# DIR/run PROGRAM ARGS...: runs DIR/bin/PROGRAM with the bundle's libraries
# (scripts/gpu_bundle.sh), cudart and cuBLAS from the machine's CUDA toolkit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 PROGRAM ARGS... (PROGRAM: $(ls "$here/bin" | tr '\n' ' '))" >&2; exit 2; }
path="$here/lib"
# The bundled C++ runtime only where the machine's lacks the version needed.
needed=$(sed -n 's/^cxx_needed: //p' "$here/BUILD_INFO")
own=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }')
if [ -z "$own" ] || ! grep -qa "$needed" "$own"; then path="$path:$here/lib/cxx"; fi
for cuda in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$cuda" ] && path="$path:$cuda"
done
export LD_LIBRARY_PATH="$path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export MTREC_TESTDATA_DIR="${MTREC_TESTDATA_DIR:-$here/testdata}"
program=$1
shift
exec "$here/bin/$program" "$@"
EOF
chmod +x "$dir/run"

size_kib=$(du -sk "$dir" | cut -f1)
echo "gpu_bundle: $dir: $((size_kib / 1024)) MiB ($size_kib KiB; limit $limit_mib MiB): $(ls "$dir/bin" | tr '\n' ' ')+ $(ls "$dir/lib" | grep -c '\.so') libraries"
if [ "$size_kib" -gt $((limit_mib * 1024)) ]; then
  echo "gpu_bundle: $dir is over $limit_mib MiB" >&2
  exit 1
fi

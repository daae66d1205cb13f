// DeviceGemm: the one dense-matrix kernel of the CUDA backend that is not a
// Thrust algorithm. cuBLAS implements it on the GPU (device_gemm_cublas.cu),
// mtrec's CPU SmallGemm (core/gemm.h) in the host build (device_gemm_host.cc).
// Pointers are device pointers (host memory in the host build).
#pragma once

#include <cstdint>
#include <memory>

namespace mtrec {

class DeviceGemm {
 public:
  virtual ~DeviceGemm() = default;
  // Row-major C[m x n] (row stride ldc) =, or += when `accumulate`, A[m x k] B[k x n],
  // with the same argument conventions as SmallGemm: A's element (r, kk) is
  // a[r * a_row_stride + kk * a_k_stride] where one of the strides is 1 (A or
  // a transposed view); B is row-major with row stride ldb.
  // REQUIRES: n % 8 == 0; the rows of B and C hold n valid floats.
  // Thread-safe: may be called concurrently.
  virtual void Gemm(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
                    const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) const = 0;
};

// SmallGemm on host memory (the cuda-host backend).
std::unique_ptr<DeviceGemm> MakeHostGemm();

}  // namespace mtrec

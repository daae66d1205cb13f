// DeviceGemm on the GPU: cuBLAS SGEMM in full FP32 (no TF32: the backend
// states 1e-5 parity with the CPU and PyTorch), on the default stream that the
// backend's Thrust kernels use, so calls are ordered with them.
#include <cublas_v2.h>

#include "mtrec/backend/cuda/device_gemm_cublas.h"

namespace mtrec {

namespace {

class CublasGemm final : public DeviceGemm {
 public:
  explicit CublasGemm(cublasHandle_t handle) : handle_(handle) {}
  ~CublasGemm() override { cublasDestroy(handle_); }

  // Row-major C = A B is column-major C^T = B^T A^T: B as stored is B^T
  // (leading dimension ldb); A with k stride 1 is A^T as stored (leading
  // dimension a_row_stride), a transposed view (row stride 1) is A stored,
  // to be transposed (leading dimension a_k_stride).
  void Gemm(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
            const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) const override {
    const float one = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    const bool a_rows_contiguous = a_k_stride == 1;
    const cublasOperation_t op_a = a_rows_contiguous ? CUBLAS_OP_N : CUBLAS_OP_T;
    const int lda = static_cast<int>(a_rows_contiguous ? a_row_stride : a_k_stride);
    cublasSgemm(handle_, CUBLAS_OP_N, op_a, n, m, k, &one, b, static_cast<int>(ldb), a, lda, &beta,
                c, static_cast<int>(ldc));
  }

 private:
  cublasHandle_t handle_;
};

}  // namespace

Result<std::unique_ptr<DeviceGemm>> MakeCublasGemm() {
  cublasHandle_t handle = nullptr;
  if (const cublasStatus_t s = cublasCreate(&handle); s != CUBLAS_STATUS_SUCCESS) {
    return Status::Unavailable("cuda: cuBLAS could not start (cublasCreate status " +
                               std::to_string(static_cast<int>(s)) + ")");
  }
  cublasSetMathMode(handle, CUBLAS_PEDANTIC_MATH);  // FP32 throughout, no TF32
  return std::unique_ptr<DeviceGemm>(std::make_unique<CublasGemm>(handle));
}

}  // namespace mtrec

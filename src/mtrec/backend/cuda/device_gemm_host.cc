#include "mtrec/backend/cuda/device_gemm.h"
#include "mtrec/core/gemm.h"

namespace mtrec {

namespace {

class HostGemm final : public DeviceGemm {
 public:
  void Gemm(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
            const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) const override {
    SmallGemm(m, n, k, a, a_row_stride, a_k_stride, b, ldb, c, ldc, accumulate);
  }
};

}  // namespace

std::unique_ptr<DeviceGemm> MakeHostGemm() { return std::make_unique<HostGemm>(); }

}  // namespace mtrec

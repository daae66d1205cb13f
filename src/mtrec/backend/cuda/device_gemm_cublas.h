// DeviceGemm by cuBLAS (the "cuda" backend; MTREC_CUDA=ON builds only).
#pragma once

#include <memory>

#include "mtrec/backend/cuda/device_gemm.h"
#include "mtrec/status.h"

namespace mtrec {

// Unavailable when cuBLAS cannot start (no device, no driver).
Result<std::unique_ptr<DeviceGemm>> MakeCublasGemm();

}  // namespace mtrec

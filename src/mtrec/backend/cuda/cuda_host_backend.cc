// The cuda-host backend: thrust_backend.inl compiled by the host compiler with
// THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_CPP (set for this file by
// src/CMakeLists.txt), so the CUDA backend's kernels run sequentially on the
// CPU, and its GEMMs are SmallGemm's.
#define MTREC_CUDA_NS cuda_host
#include "mtrec/backend/cuda/cuda_backends.h"
#include "mtrec/backend/cuda/thrust_backend.inl"

namespace mtrec {

Result<std::unique_ptr<Backend>> MakeCudaHostBackend(const ModelConfig& config,
                                                     const BackendOptions& options) {
  return cuda_host::ThrustBackend::Make("cuda-host", config, options, MakeHostGemm());
}

}  // namespace mtrec

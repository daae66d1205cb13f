// The two builds of the CUDA backend (thrust_backend.inl), as registry
// factories (backend_registry.cc):
//   "cuda-host": the backend's own code run on the CPU by Thrust's sequential
//                host system; built whenever the CCCL headers are there
//                (MTREC_HAVE_CUDA_HOST), and tested by tests/backend in CI;
//   "cuda":      the same code compiled by nvcc for the GPU (MTREC_CUDA=ON,
//                MTREC_HAVE_CUDA); Unavailable, saying what is missing, on a
//                machine without a usable device.
#pragma once

#include <memory>

#include "mtrec/backend/backend.h"
#include "mtrec/status.h"

namespace mtrec {

Result<std::unique_ptr<Backend>> MakeCudaHostBackend(const ModelConfig& config,
                                                     const BackendOptions& options);

// OK when a GPU this build can use is there; otherwise Unavailable naming
// what is missing (no device, a driver too old for the CUDA runtime, a
// compute capability below 8.0).
Status CudaDeviceStatus();
Result<std::unique_ptr<Backend>> MakeCudaBackend(const ModelConfig& config,
                                                 const BackendOptions& options);

}  // namespace mtrec

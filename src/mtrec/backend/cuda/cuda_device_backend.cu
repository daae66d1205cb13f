// The "cuda" backend: thrust_backend.inl compiled by nvcc for the GPU (Thrust's
// CUDA system), its GEMMs by cuBLAS; and the probe that says, before any work,
// why a machine cannot run it.
#include <cuda_runtime.h>

#define MTREC_CUDA_NS cuda_device
#include "mtrec/backend/cuda/cuda_backends.h"
#include "mtrec/backend/cuda/device_gemm_cublas.h"
#include "mtrec/backend/cuda/thrust_backend.inl"

namespace mtrec {

Status CudaDeviceStatus() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorInsufficientDriver) {
    return Status::Unavailable("cuda: no usable NVIDIA driver: this build's CUDA " +
                               std::to_string(CUDART_VERSION / 1000) +
                               " runtime needs driver >= 580 (" + cudaGetErrorString(e) + ")");
  }
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) {
    return Status::Unavailable("cuda: no CUDA device found");
  }
  if (e != cudaSuccess) {
    return Status::Unavailable(std::string("cuda: cannot use the GPU: ") + cudaGetErrorString(e));
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    return Status::Unavailable("cuda: cannot read the properties of device 0");
  }
  if (prop.major < 8) {
    return Status::Unavailable(std::string("cuda: device 0 (") + prop.name +
                               ") has compute capability " + std::to_string(prop.major) + "." +
                               std::to_string(prop.minor) + "; mtrec's CUDA build needs >= 8.0");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Backend>> MakeCudaBackend(const ModelConfig& config,
                                                 const BackendOptions& options) {
  MTREC_RETURN_IF_ERROR(CudaDeviceStatus());
  MTREC_ASSIGN_OR_RETURN(std::unique_ptr<DeviceGemm> gemm, MakeCublasGemm());
  return cuda_device::ThrustBackend::Make("cuda", config, options, std::move(gemm));
}

}  // namespace mtrec

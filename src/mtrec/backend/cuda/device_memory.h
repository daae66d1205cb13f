// The CUDA backend's memory and copies, with every device error as a Status
// naming the operation ("cuda: cudaMalloc of 1.2 GiB for item scores failed:
// out of memory") rather than an exception:
//   DeviceScratch<T>  a grow-only device buffer: scoring reuses it call after
//                     call, so a scoring call allocates only when it needs more
//                     than any call before it;
//   PinnedScratch<T>  a grow-only page-locked host buffer, the staging area of
//                     copies (cudaMallocHost; DMA without a bounce buffer);
//   CopyStream        a stream for host<->device copies (cudaMemcpyAsync).
// In the host build (cuda-host) "device" and "pinned" memory are ordinary host
// memory, copies are memcpy, and only a failed allocation is an error.
//
// Ordering: the copy stream is a blocking stream (cudaStreamCreate), and the
// kernels run on the legacy default stream (Thrust's thrust::device), which
// waits for and is waited for by every blocking stream: a kernel launched after
// ToDevice sees the data, a ToHost issued after a kernel copies its result;
// Sync() makes the host copies readable.
// Thread-safety: one object per thread at a time (the backend's scratch pool
// hands each concurrent caller its own).
#pragma once

#ifndef MTREC_CUDA_NS
#error "define MTREC_CUDA_NS (the namespace of this build of the CUDA backend) first"
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "mtrec/status.h"

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

namespace mtrec::MTREC_CUDA_NS {

// The backend's registered name, which starts its error messages.
#if defined(__CUDACC__)
inline constexpr const char kDeviceBackendName[] = "cuda";
#else
inline constexpr const char kDeviceBackendName[] = "cuda-host";
#endif

// "512 B", "3.0 MiB", "1.2 GiB".
inline std::string FormatBytes(size_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return text;
}

// The Status of a failed device operation: "<backend>: <operation> failed: <why>".
inline Status DeviceFailure(const std::string& operation, const std::string& why) {
  return Status::Unavailable(std::string(kDeviceBackendName) + ": " + operation +
                             " failed: " + why);
}

#if defined(__CUDACC__)
inline Status CudaStatus(cudaError_t e, const std::string& operation) {
  if (e == cudaSuccess) return Status::Ok();
  (void)cudaGetLastError();  // clears a non-sticky error so the next call starts clean
  return DeviceFailure(operation, cudaGetErrorString(e));
}
#endif

namespace internal {

#if !defined(__CUDACC__)
// The host build's device and pinned memory.
inline Status HostAllocate(void** p, size_t bytes, const char* what) {
  *p = std::malloc(bytes);
  return *p != nullptr ? Status::Ok()
                       : DeviceFailure("malloc of " + FormatBytes(bytes) + " for " + what,
                                       "out of memory");
}
#endif

inline Status AllocateDevice(void** p, size_t bytes, const char* what) {
#if defined(__CUDACC__)
  return CudaStatus(cudaMalloc(p, bytes), "cudaMalloc of " + FormatBytes(bytes) + " for " + what);
#else
  return HostAllocate(p, bytes, what);
#endif
}

inline void FreeDevice(void* p) {
#if defined(__CUDACC__)
  if (p != nullptr) cudaFree(p);
#else
  std::free(p);
#endif
}

inline Status AllocatePinned(void** p, size_t bytes, const char* what) {
#if defined(__CUDACC__)
  return CudaStatus(cudaMallocHost(p, bytes),
                    "cudaMallocHost of " + FormatBytes(bytes) + " for " + what);
#else
  return HostAllocate(p, bytes, what);
#endif
}

inline void FreePinned(void* p) {
#if defined(__CUDACC__)
  if (p != nullptr) cudaFreeHost(p);
#else
  std::free(p);
#endif
}

// A grow-only buffer of T from Allocate/Free; contents are not kept on growth.
template <typename T, Status (*Allocate)(void**, size_t, const char*), void (*Free)(void*)>
class GrowOnly {
 public:
  GrowOnly() = default;
  GrowOnly(const GrowOnly&) = delete;
  GrowOnly& operator=(const GrowOnly&) = delete;
  ~GrowOnly() { Free(data_); }

  // At least n elements; `what` names the buffer in an error. Reallocates only
  // when n exceeds the capacity (then to n; the old contents are dropped).
  Status Reserve(size_t n, const char* what) {
    if (n <= capacity_) return Status::Ok();
    Free(data_);
    data_ = nullptr;
    capacity_ = 0;
    void* p = nullptr;
    MTREC_RETURN_IF_ERROR(Allocate(&p, n * sizeof(T), what));
    data_ = static_cast<T*>(p);
    capacity_ = n;
    return Status::Ok();
  }
  T* data() const { return data_; }
  size_t capacity() const { return capacity_; }

 private:
  T* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace internal

template <typename T>
using DeviceScratch = internal::GrowOnly<T, internal::AllocateDevice, internal::FreeDevice>;
template <typename T>
using PinnedScratch = internal::GrowOnly<T, internal::AllocatePinned, internal::FreePinned>;

// Host<->device copies on one stream (see the ordering note above).
class CopyStream {
 public:
  CopyStream() = default;
  CopyStream(const CopyStream&) = delete;
  CopyStream& operator=(const CopyStream&) = delete;
  ~CopyStream() {
#if defined(__CUDACC__)
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
#endif
  }

  // Creates the stream on first use.
  Status Init() {
#if defined(__CUDACC__)
    if (stream_ == nullptr) return CudaStatus(cudaStreamCreate(&stream_), "cudaStreamCreate");
#endif
    return Status::Ok();
  }

  // Queues the copy of n elements; `what` names the data in an error.
  template <typename T>
  Status ToDevice(T* device, const T* host, size_t n, const char* what) {
    return Copy(device, host, n * sizeof(T), true, what);
  }
  template <typename T>
  Status ToHost(T* host, const T* device, size_t n, const char* what) {
    return Copy(host, device, n * sizeof(T), false, what);
  }

  // Waits for the queued copies (and, through them, the kernels before them).
  Status Sync(const char* what) {
#if defined(__CUDACC__)
    return CudaStatus(cudaStreamSynchronize(stream_), std::string("waiting for ") + what);
#else
    (void)what;
    return Status::Ok();
#endif
  }

 private:
  Status Copy(void* dst, const void* src, size_t bytes, bool to_device, const char* what) {
    if (bytes == 0) return Status::Ok();
#if defined(__CUDACC__)
    return CudaStatus(
        cudaMemcpyAsync(dst, src, bytes, to_device ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost,
                        stream_),
        std::string("copy of ") + FormatBytes(bytes) + " of " + what +
            (to_device ? " to the device" : " to the host"));
#else
    (void)to_device;
    (void)what;
    std::memcpy(dst, src, bytes);
    return Status::Ok();
#endif
  }

#if defined(__CUDACC__)
  cudaStream_t stream_ = nullptr;
#endif
};

}  // namespace mtrec::MTREC_CUDA_NS

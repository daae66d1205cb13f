// A float32 FMA throughput probe: the compute bound that the dense path's
// fraction of peak is stated against, measured rather than taken from the
// CPU's nominal clock (a VM's vCPU may boost above it, or share a core).
//
// Every thread of the pool runs independent chains of vector FMAs in
// registers (no memory traffic): enough chains to cover the FMA latency of
// the widest units the build targets (zmm under AVX-512, ymm otherwise).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bench_util.h"
#include "mtrec/core/avx512.h"
#include "mtrec/core/thread_pool.h"

namespace mtrec::bench {

struct FmaPeak {
  double gflops;     // best of the repetitions, all threads together (2 flops per FMA lane)
  int vector_floats; // the lanes of one FMA: 16 (AVX-512) or 8
};

inline FmaPeak MeasureFmaPeak(ThreadPool& pool, int64_t iterations = 20'000'000,
                              int repeats = 5) {
#ifdef MTREC_AVX512
  typedef float Vec __attribute__((vector_size(64)));
#else
  typedef float Vec __attribute__((vector_size(32)));
#endif
  constexpr int kLanes = sizeof(Vec) / sizeof(float);
  constexpr int kChains = 12;  // > latency (4) x units (2): the units never wait
  std::vector<float> sink(static_cast<size_t>(pool.num_threads()) * kLanes, 0.0f);
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const double start = Now();
    pool.Run(pool.num_threads(), [&](int task, int) {
      Vec acc[kChains], x, y;
      for (int c = 0; c < kChains; ++c) {
        for (int l = 0; l < kLanes; ++l) acc[c][l] = static_cast<float>(c + l) * 1e-3f;
      }
      for (int l = 0; l < kLanes; ++l) x[l] = 0.999999f, y[l] = 1e-7f;
      for (int64_t i = 0; i < iterations; ++i) {
        // Keeps the chains in registers and the loop from being folded away.
        __asm__ volatile("" : "+v"(x));
        for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * x + y;
      }
      Vec total = acc[0];
      for (int c = 1; c < kChains; ++c) total += acc[c];
      std::memcpy(&sink[static_cast<size_t>(task) * kLanes], &total, sizeof(total));
    });
    best = std::min(best, Now() - start);
  }
  float check = 0;
  for (float v : sink) check += v;
  if (!(check > 0)) return {0, kLanes};  // the chains ran (and cannot be dropped)
  const double flops = 2.0 * kLanes * kChains * static_cast<double>(iterations) * pool.num_threads();
  return {flops / best / 1e9, kLanes};
}

}  // namespace mtrec::bench

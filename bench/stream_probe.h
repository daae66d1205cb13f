// A STREAM-like memory bandwidth probe (McCalpin's triad, a[k] = b[k] + s c[k])
// over arrays far larger than any cache, split over a thread pool as the
// training step splits its work: the bound a memory-bound loop cannot beat.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "bench_util.h"
#include "mtrec/core/huge_pages.h"
#include "mtrec/core/thread_pool.h"

namespace mtrec::bench {

struct Bandwidth {
  double gb_per_s;    // best of the repetitions, STREAM's count: 3 arrays x 4 B per element
  double array_mib;   // the size of each array
};

// The triad over three `mib`-MiB float arrays on `pool`, best of `repeats`.
inline Bandwidth TriadBandwidth(ThreadPool& pool, int64_t mib = 256, int repeats = 5) {
  const int64_t n = mib * 1024 * 1024 / 4;
  LargeVector<float> a(n, 0.0f), b(n, 1.0f), c(n, 2.0f);  // written once: pages are mapped
  const float s = 3.0f;
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const double start = Now();
    pool.ParallelFor(n, [&](int64_t lo, int64_t hi, int) {
      float* __restrict pa = a.data();
      const float* __restrict pb = b.data();
      const float* __restrict pc = c.data();
#pragma omp simd
      for (int64_t k = lo; k < hi; ++k) pa[k] = pb[k] + s * pc[k];
    });
    best = std::min(best, Now() - start);
  }
  if (a[n / 2] != 7.0f) return {0, 0};  // the loop ran (and cannot be dropped)
  return {3.0 * 4.0 * static_cast<double>(n) / best / 1e9, static_cast<double>(mib)};
}

}  // namespace mtrec::bench

// The float32 vector kernels every layer is built from. Written as plain loops
// with `omp simd` (compiled with -fopenmp-simd: no OpenMP runtime) so that the
// compiler vectorises the reductions too.
#pragma once

#include <cstdint>

namespace mtrec {

// sum_k a[k] * b[k]
inline float Dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
  for (int64_t k = 0; k < n; ++k) acc += a[k] * b[k];
  return acc;
}

// y += alpha * x
inline void Axpy(float alpha, const float* __restrict x, float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) y[k] += alpha * x[k];
}

// y += x
inline void AddTo(const float* __restrict x, float* __restrict y, int64_t n) {
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) y[k] += x[k];
}

// out = a * b (elementwise)
inline void Mul(const float* __restrict a, const float* __restrict b, float* __restrict out,
                int64_t n) {
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) out[k] = a[k] * b[k];
}

// a * b + c rounded once where the CPU has FMA, else as a product and a sum:
// the operation the GEMM kernels' `acc += a * b` compiles to (mtrec_core builds
// with -ffp-contract=fast). For code that must repeat the kernels' arithmetic
// exactly; tests assert the equality (FactorizationScorer, ScoreAllItems).
inline float FusedMulAdd(float a, float b, float c) {
#ifdef __FMA__
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}

// Asks the cache for the 64-byte lines holding p[0, n): on the large data sets
// the embedding rows a sample touches are cache misses, and issuing them a few
// samples ahead overlaps the waits.
inline void PrefetchRow(const float* p, int64_t n) {
  for (int64_t k = 0; k < n; k += 16) __builtin_prefetch(p + k);
  __builtin_prefetch(p + n - 1);
}

}  // namespace mtrec

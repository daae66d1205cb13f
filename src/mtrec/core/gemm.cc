#include "mtrec/core/gemm.h"

#include <cstring>

#include "mtrec/core/avx512.h"
#if defined(__FMA__) && !defined(MTREC_AVX512)
#include <immintrin.h>
#endif

namespace mtrec {

namespace {

typedef float Vec8 __attribute__((vector_size(32)));
#ifdef MTREC_AVX512
typedef float Vec16 __attribute__((vector_size(64)));
#endif

template <typename Vec>
inline Vec Load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <typename Vec>
inline void Store(float* p, Vec v) {
  std::memcpy(p, &v, sizeof(v));
}

// acc + a * b, fused (one rounding) where the CPU has FMA. Spelled with the
// intrinsics because GCC's contraction of `acc += a * b` on vector types is
// not guaranteed: GCC 12 left the 1-row, 1-vector kernel as a multiply and an
// add (two roundings).
template <typename Vec>
inline Vec MulAdd(float a, Vec b, Vec acc) {
#if defined(__FMA__)
  if constexpr (sizeof(Vec) == 32) {
    return _mm256_fmadd_ps(_mm256_set1_ps(a), b, acc);
  } else {
#ifdef MTREC_AVX512
    return _mm512_fmadd_ps(_mm512_set1_ps(a), b, acc);
#endif
  }
#else
  return acc + a * b;
#endif
}

// C[R x W V] (+)= A[R x k] B[k x W V], W the floats of one Vec: R*V
// accumulators stay in registers while k runs; per k, V loads of B and R
// broadcasts of A feed R*V FMAs. Each element of C is the same FMA chain over
// k, in order, whatever Vec is, so the vector width never changes a result.
template <typename Vec, int R, int V>
inline void MicroKernel(int k, const float* a, int64_t ars, int64_t aks, const float* b,
                        int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  constexpr int kWidth = sizeof(Vec) / sizeof(float);
  Vec acc[R][V];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) acc[r][v] = accumulate ? Load<Vec>(c + r * ldc + kWidth * v) : Vec{};
  }
  for (int kk = 0; kk < k; ++kk) {
    Vec bv[V];
    for (int v = 0; v < V; ++v) bv[v] = Load<Vec>(b + kk * ldb + kWidth * v);
    for (int r = 0; r < R; ++r) {
      const float av = a[r * ars + kk * aks];
      for (int v = 0; v < V; ++v) acc[r][v] = MulAdd(av, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) Store(c + r * ldc + kWidth * v, acc[r][v]);
  }
}

// The last rows < R of a row block: one MicroKernel<Vec, rows, V>, chosen at
// compile time from R - 1 down to 1.
template <typename Vec, int R, int V>
void RemainderRows(int rows, int k, const float* a, int64_t ars, int64_t aks, const float* b,
                   int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  if constexpr (R > 1) {
    if (rows == R - 1) {
      MicroKernel<Vec, R - 1, V>(k, a, ars, aks, b, ldb, c, ldc, accumulate);
    } else {
      RemainderRows<Vec, R - 1, V>(rows, k, a, ars, aks, b, ldb, c, ldc, accumulate);
    }
  }
}

// Every row of one column slab of V Vecs.
template <typename Vec, int V>
void RowBlocks(int m, int k, const float* a, int64_t ars, int64_t aks, const float* b, int64_t ldb,
               float* c, int64_t ldc, bool accumulate) {
  // 6 rows: 6 x V accumulators hide the FMA latency and, with V loads and a
  // broadcast, fit the register file (16 ymm for V <= 2, 32 zmm for V <= 4).
  constexpr int kRows = 6;
  int r = 0;
  for (; r + kRows <= m; r += kRows) {
    MicroKernel<Vec, kRows, V>(k, a + r * ars, ars, aks, b, ldb, c + r * ldc, ldc, accumulate);
  }
  RemainderRows<Vec, kRows, V>(m - r, k, a + r * ars, ars, aks, b, ldb, c + r * ldc, ldc,
                               accumulate);
}

}  // namespace

void SmallGemm8(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
                const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  int col = 0;
  for (; col + 16 <= n; col += 16) {
    RowBlocks<Vec8, 2>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
  }
  if (col < n) {
    RowBlocks<Vec8, 1>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
  }
}

void SmallGemm(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
               const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
#ifdef MTREC_AVX512
  // Column slabs as wide as the registers allow; B's slab stays in L1 across
  // the row blocks. The last < 16 columns (8) take the 8-wide kernel.
  int col = 0;
  for (; col + 64 <= n; col += 64) {
    RowBlocks<Vec16, 4>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
  }
  if (col + 32 <= n) {
    RowBlocks<Vec16, 2>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
    col += 32;
  }
  if (col + 16 <= n) {
    RowBlocks<Vec16, 1>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
    col += 16;
  }
  if (col < n) {
    RowBlocks<Vec8, 1>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
  }
#else
  SmallGemm8(m, n, k, a, a_row_stride, a_k_stride, b, ldb, c, ldc, accumulate);
#endif
}

}  // namespace mtrec

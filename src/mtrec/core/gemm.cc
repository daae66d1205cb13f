#include "mtrec/core/gemm.h"

#include <cstring>

namespace mtrec {

namespace {

typedef float Vec8 __attribute__((vector_size(32)));

inline Vec8 Load(const float* p) {
  Vec8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void Store(float* p, Vec8 v) { std::memcpy(p, &v, sizeof(v)); }

// C[R x 8V] (+)= A[R x k] B[k x 8V]: R*V accumulators stay in registers while
// k runs; per k, V loads of B and R broadcasts of A feed R*V FMAs.
template <int R, int V>
inline void MicroKernel(int k, const float* a, int64_t ars, int64_t aks, const float* b,
                        int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  Vec8 acc[R][V];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) acc[r][v] = accumulate ? Load(c + r * ldc + 8 * v) : Vec8{};
  }
  for (int kk = 0; kk < k; ++kk) {
    Vec8 bv[V];
    for (int v = 0; v < V; ++v) bv[v] = Load(b + kk * ldb + 8 * v);
    for (int r = 0; r < R; ++r) {
      const float av = a[r * ars + kk * aks];
      for (int v = 0; v < V; ++v) acc[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) Store(c + r * ldc + 8 * v, acc[r][v]);
  }
}

// The last rows < R of a row block: one MicroKernel<rows, V>, chosen at compile
// time from R - 1 down to 1.
template <int R, int V>
void RemainderRows(int rows, int k, const float* a, int64_t ars, int64_t aks, const float* b,
                   int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  if constexpr (R > 1) {
    if (rows == R - 1) {
      MicroKernel<R - 1, V>(k, a, ars, aks, b, ldb, c, ldc, accumulate);
    } else {
      RemainderRows<R - 1, V>(rows, k, a, ars, aks, b, ldb, c, ldc, accumulate);
    }
  }
}

template <int V>
void RowBlocks(int m, int k, const float* a, int64_t ars, int64_t aks, const float* b, int64_t ldb,
               float* c, int64_t ldc, bool accumulate) {
  constexpr int kRows = 6;  // 6 x 2 = 12 accumulators: enough to hide FMA latency
  int r = 0;
  for (; r + kRows <= m; r += kRows) {
    MicroKernel<kRows, V>(k, a + r * ars, ars, aks, b, ldb, c + r * ldc, ldc, accumulate);
  }
  RemainderRows<kRows, V>(m - r, k, a + r * ars, ars, aks, b, ldb, c + r * ldc, ldc, accumulate);
}

}  // namespace

void SmallGemm(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
               const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  // Column slabs of 16 (two vectors); B's slab stays in L1 across the row blocks.
  int col = 0;
  for (; col + 16 <= n; col += 16) {
    RowBlocks<2>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
  }
  if (col < n)
    RowBlocks<1>(m, k, a, a_row_stride, a_k_stride, b + col, ldb, c + col, ldc, accumulate);
}

}  // namespace mtrec

// SmallGemm against its contract: every element of C is one chain of
// acc = a * b + acc over k in order (from 0, or from C's value when
// accumulating), fused where the CPU has FMA, whichever column slab (64/32/16
// floats under AVX-512, 16 under AVX2, 8 for the rest) and row remainder
// computes it. Compared bit for bit with the scalar chain, which is what keeps
// a result independent of the block it was computed in.
#include "mtrec/core/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace mtrec {
namespace {

float MulAdd(float a, float b, float acc) {
#if defined(__FMA__)
  return std::fma(a, b, acc);
#else
  const volatile float product = a * b;  // rounded on its own, as without FMA
  return acc + product;
#endif
}

struct Case {
  int m, n, k;
  bool transposed_a, accumulate;
};

void CheckCase(const Case& c, std::mt19937& rng) {
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  const int64_t ldb = c.n + 8, ldc = c.n + 16;  // strides wider than n
  std::vector<float> a(static_cast<size_t>(c.m) * c.k), b(static_cast<size_t>(c.k) * ldb);
  std::vector<float> out(static_cast<size_t>(c.m) * ldc);
  for (float& x : a) x = value(rng);
  for (float& x : b) x = value(rng);
  for (float& x : out) x = value(rng);
  // A's element (r, kk): row-major [m x k], or stored as its transpose [k x m].
  const int64_t ars = c.transposed_a ? 1 : c.k, aks = c.transposed_a ? c.m : 1;

  std::vector<float> expected = out;
  for (int r = 0; r < c.m; ++r) {
    for (int j = 0; j < c.n; ++j) {
      float acc = c.accumulate ? expected[r * ldc + j] : 0.0f;
      for (int kk = 0; kk < c.k; ++kk) acc = MulAdd(a[r * ars + kk * aks], b[kk * ldb + j], acc);
      expected[r * ldc + j] = acc;
    }
  }
  const std::vector<float> start = out;
  SmallGemm(c.m, c.n, c.k, a.data(), ars, aks, b.data(), ldb, out.data(), ldc, c.accumulate);
  std::vector<float> out8 = start;
  SmallGemm8(c.m, c.n, c.k, a.data(), ars, aks, b.data(), ldb, out8.data(), ldc, c.accumulate);
  for (int r = 0; r < c.m; ++r) {
    for (int j = 0; j < ldc; ++j) {
      // Columns past n are untouched: they still hold the starting values.
      ASSERT_EQ(out[r * ldc + j], expected[r * ldc + j])
          << "m " << c.m << " n " << c.n << " k " << c.k << " transposed " << c.transposed_a
          << " accumulate " << c.accumulate << " at (" << r << ", " << j << ")";
      ASSERT_EQ(out8[r * ldc + j], expected[r * ldc + j])
          << "SmallGemm8: m " << c.m << " n " << c.n << " k " << c.k << " at (" << r << ", " << j
          << ")";
    }
  }
}

TEST(SmallGemm, EveryElementIsTheInOrderChainForEverySlabAndRemainder) {
  std::mt19937 rng(7);
  // n covers each slab width and their mixes (8, 16, 24, 32, 48, 64, 72, 96,
  // 104, 136); m every row remainder of the 6-row blocks and the MLP's 128.
  for (int n : {8, 16, 24, 32, 48, 64, 72, 96, 104, 136}) {
    for (int m : {1, 2, 3, 4, 5, 6, 7, 11, 13, 128}) {
      for (int k : {1, 5, 96}) {
        for (bool transposed : {false, true}) {
          for (bool accumulate : {false, true}) CheckCase({m, n, k, transposed, accumulate}, rng);
        }
      }
    }
  }
}

TEST(SmallGemm, ZeroRowsOrDepthWritesNothingOrZeros) {
  std::vector<float> a(16, 1.0f), b(16 * 16, 1.0f), out(16, 5.0f);
  SmallGemm(0, 16, 1, a.data(), 1, 1, b.data(), 16, out.data(), 16, false);
  for (float x : out) EXPECT_EQ(x, 5.0f);
  // k == 0: C = the empty sum (0), or C unchanged when accumulating.
  SmallGemm(1, 16, 0, a.data(), 1, 1, b.data(), 16, out.data(), 16, true);
  for (float x : out) EXPECT_EQ(x, 5.0f);
  SmallGemm(1, 16, 0, a.data(), 1, 1, b.data(), 16, out.data(), 16, false);
  for (float x : out) EXPECT_EQ(x, 0.0f);
}

}  // namespace
}  // namespace mtrec

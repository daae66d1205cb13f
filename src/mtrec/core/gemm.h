// SmallGemm: C = A B (or C += A B) for the small, cache-resident matrices of the
// MLP (a block of <= 128 samples against layers of ~100 units), register-blocked
// for SIMD with GCC vector extensions: zmm registers where the build targets
// AVX-512 (core/avx512.h), ymm under AVX2, lowered to SSE pairs otherwise. Every
// element of C is one FMA chain over k in order, so the width never changes a
// result.
#pragma once

#include <cstdint>

namespace mtrec {

// C[m x n] (row stride ldc) =, or += when `accumulate`, A[m x k] B[k x n].
// A's element (r, kk) is a[r * a_row_stride + kk * a_k_stride], so A may be a
// transposed view. B is row-major with row stride ldb.
// REQUIRES: n % 8 == 0; the rows of B and C hold n valid floats.
void SmallGemm(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
               const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate);

// SmallGemm on 8-wide vectors alone: what SmallGemm runs where the build does
// not target AVX-512. Given for the tests, which check both paths on any CPU
// (the results are the same: the width never changes a result).
void SmallGemm8(int m, int n, int k, const float* a, int64_t a_row_stride, int64_t a_k_stride,
                const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate);

// Rounds a width up to the SIMD width (8 floats).
constexpr int PadTo8(int n) { return (n + 7) & ~7; }

}  // namespace mtrec

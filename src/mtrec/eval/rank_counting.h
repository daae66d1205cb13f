// Counting, with SIMD compares, how many of a row of values lie below and at
// each of a few thresholds: the core of rank-based metrics (MRR's ranks, AUC's
// pair counts) without sorting the row.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

namespace mtrec {

typedef float Vec8f __attribute__((vector_size(32)));
typedef int32_t Vec8i __attribute__((vector_size(32)));

// For each thresholds[t], adds per-lane counts of the values below it to
// below[t] and of those equal to it to equal[t] (sum the lanes with SumLanes
// when done; a lane holds at most n / 8, so int32 never overflows). `values`
// holds n floats followed by NaN padding up to a multiple of 8: NaN compares
// false, so a NaN (padding, or an entry to leave out) is never counted. Four
// thresholds per pass, so each loaded vector of values serves eight compares.
inline void CountBelowAndEqual(const float* values, int64_t n, std::span<const float> thresholds,
                               Vec8i* below, Vec8i* equal) {
  const int64_t vectors = (n + 7) / 8;
  for (size_t first = 0; first < thresholds.size(); first += 4) {
    const size_t count = std::min<size_t>(4, thresholds.size() - first);
    Vec8f v[4];
    for (size_t q = 0; q < 4; ++q) v[q] = Vec8f{} + thresholds[first + std::min(q, count - 1)];
    Vec8i lt[4] = {}, eq[4] = {};
    for (int64_t c = 0; c < vectors; ++c) {
      Vec8f p;
      std::memcpy(&p, values + 8 * c, sizeof(p));
      for (int q = 0; q < 4; ++q) {
        lt[q] -= p < v[q];  // a true lane compares as -1
        eq[q] -= p == v[q];
      }
    }
    for (size_t q = 0; q < count; ++q) {
      below[first + q] += lt[q];
      equal[first + q] += eq[q];
    }
  }
}

inline int64_t SumLanes(Vec8i v) {
  int64_t sum = 0;
  for (int lane = 0; lane < 8; ++lane) sum += v[lane];
  return sum;
}

}  // namespace mtrec

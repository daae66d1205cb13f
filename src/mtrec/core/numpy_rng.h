// NumpyLegacyRng: the exact draws of numpy's legacy np.random.RandomState(seed)
// for the two operations the original uses, on a std::mt19937.
//
// RandomState(seed) with an integer seed is MT19937 seeded by init_genrand(seed),
// which is what std::mt19937(seed) does. On top of the raw 32-bit stream:
//  - Interval(max): numpy's random_interval: mask = max with all lower bits set;
//    draw v = next_uint32() & mask until v <= max (masked rejection).
//  - Shuffle(a): legacy 1-D shuffle, Fisher-Yates from the end:
//    for i = n-1 down to 1: j = Interval(i); swap(a[i], a[j]).
//  - RandInt(high): legacy randint(0, high) for a range below 2^32: Interval(high - 1),
//    the same masked rejection (numpy's buffered_bounded_masked_uint32).
// Verified against numpy 1.24 by the golden fixtures (tests/parity/split_test.cc).
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>

#include "mtrec/core/check.h"

namespace mtrec {

class NumpyLegacyRng {
 public:
  explicit NumpyLegacyRng(uint32_t seed) : gen_(seed) {}

  uint32_t NextUint32() { return static_cast<uint32_t>(gen_()); }

  // Uniform integer in [0, max]. REQUIRES: max < 2^32.
  uint32_t Interval(uint32_t max) {
    if (max == 0) return 0;
    uint32_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t value;
    while ((value = NextUint32() & mask) > max) {
    }
    return value;
  }

  // Uniform integer in [0, high). REQUIRES: 0 < high <= 2^32 - 1.
  uint32_t RandInt(uint32_t high) {
    MTREC_DCHECK(high > 0);
    return Interval(high - 1);
  }

  // Fills `out` with RandInt(high) draws, in order (one numpy randint(0, high, n) call).
  template <typename T>
  void RandIntFill(uint32_t high, std::span<T> out) {
    for (T& v : out) v = static_cast<T>(RandInt(high));
  }

  // In-place legacy shuffle of a 1-D array. REQUIRES: a.size() < 2^32.
  template <typename T>
  void Shuffle(std::span<T> a) {
    for (size_t i = a.size(); i-- > 1;) {
      const size_t j = Interval(static_cast<uint32_t>(i));
      std::swap(a[i], a[j]);
    }
  }

  std::mt19937& engine() { return gen_; }

 private:
  std::mt19937 gen_;
};

}  // namespace mtrec

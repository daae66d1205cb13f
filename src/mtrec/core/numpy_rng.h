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
  //
  // The draws do not depend on the elements, so each is made kShuffleAhead
  // swaps early and the element it names is prefetched: on arrays larger than
  // the cache the swaps no longer wait on memory one at a time. The draws, and
  // so the result, are those of the plain loop.
  template <typename T>
  void Shuffle(std::span<T> a) {
    const size_t n = a.size();
    if (n < 2) return;
    const size_t swaps = n - 1;  // swap t exchanges a[n - 1 - t] and a[draw t]
    uint32_t ahead[kShuffleAhead];
    size_t drawn = 0;
    const auto draw = [&] {
      const uint32_t j = Interval(static_cast<uint32_t>(n - 1 - drawn));
      __builtin_prefetch(&a[j], 1);
      ahead[drawn % kShuffleAhead] = j;
      ++drawn;
    };
    while (drawn < swaps && drawn < kShuffleAhead) draw();
    for (size_t t = 0; t < swaps; ++t) {
      const uint32_t j = ahead[t % kShuffleAhead];
      if (drawn < swaps) draw();  // refills the slot just read
      std::swap(a[n - 1 - t], a[j]);
    }
  }

  std::mt19937& engine() { return gen_; }

 private:
  // How many draws Shuffle makes ahead of its swaps.
  static constexpr size_t kShuffleAhead = 16;

  std::mt19937 gen_;
};

}  // namespace mtrec

#include "mtrec/core/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

namespace mtrec {
namespace {

TEST(LargeVector, BigBlocksAreHugePageAlignedAndValueInitialised) {
  LargeVector<float> v(3 * kHugePageBytes / sizeof(float) + 5);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHugePageBytes, 0u);
  EXPECT_EQ(std::accumulate(v.begin(), v.end(), 0.0), 0.0);
}

TEST(LargeVector, SmallBlocksAndGrowthBehaveLikeAVector) {
  LargeVector<int32_t> v;
  for (int32_t k = 0; k < 1 << 20; ++k) v.push_back(k);  // crosses the 2 MiB threshold
  EXPECT_EQ(v.size(), size_t{1} << 20);
  EXPECT_EQ(v[12345], 12345);
  EXPECT_EQ(v.back(), (1 << 20) - 1);
  // Grown past the threshold, the buffer came from the huge-page path.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHugePageBytes, 0u);
  LargeVector<int32_t> copy = v;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(copy.data()) % kHugePageBytes, 0u);
  v.clear();
  v.shrink_to_fit();
  EXPECT_EQ(copy[777], 777);
}

}  // namespace
}  // namespace mtrec

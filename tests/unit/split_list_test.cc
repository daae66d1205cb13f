#include "mtrec/core/split_list.h"

#include <gtest/gtest.h>

namespace mtrec {
namespace {

TEST(SplitList, KeepsEmptyPiecesAndSplitsOnEverySeparator) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SplitList("64"), (V{"64"}));
  EXPECT_EQ(SplitList("128,64"), (V{"128", "64"}));
  EXPECT_EQ(SplitList("a,,b"), (V{"a", "", "b"}));
  EXPECT_EQ(SplitList(""), (V{""}));
  EXPECT_EQ(SplitList(",x,"), (V{"", "x", ""}));
  EXPECT_EQ(SplitList("1:5|2:3", '|'), (V{"1:5", "2:3"}));
}

}  // namespace
}  // namespace mtrec

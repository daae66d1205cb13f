#include <gtest/gtest.h>

#include "mtrec/data/user_item_sets.h"

namespace mtrec {
namespace {

TEST(UserItemSets, SortsAndDeduplicatesPerUserLikeCsrIndices) {
  Interactions x;
  x.num_users = 4;
  x.num_items = 9;
  x.users = {2, 0, 2, 2, 3, 0, 2};
  x.items = {5, 1, 3, 5, 8, 1, 0};
  x.ratings.assign(x.users.size(), 1.0f);
  const UserItemSets s = UserItemSets::Build(x);
  ASSERT_EQ(s.num_users(), 4);
  EXPECT_EQ(std::vector<ItemId>(s.Of(0).begin(), s.Of(0).end()), (std::vector<ItemId>{1}));
  EXPECT_TRUE(s.Of(1).empty());
  EXPECT_EQ(std::vector<ItemId>(s.Of(2).begin(), s.Of(2).end()), (std::vector<ItemId>{0, 3, 5}));
  EXPECT_EQ(std::vector<ItemId>(s.Of(3).begin(), s.Of(3).end()), (std::vector<ItemId>{8}));
}

TEST(UserItemSets, BuildsTheUnionOfSeveralParts) {
  Interactions a, b;
  a.num_users = b.num_users = 3;
  a.num_items = b.num_items = 9;
  a.users = {0, 2, 2};
  a.items = {4, 7, 1};
  b.users = {2, 1, 0};
  b.items = {1, 3, 2};
  const UserItemSets s = UserItemSets::Build({&a, nullptr, &b});
  ASSERT_EQ(s.num_users(), 3);
  EXPECT_EQ(std::vector<ItemId>(s.Of(0).begin(), s.Of(0).end()), (std::vector<ItemId>{2, 4}));
  EXPECT_EQ(std::vector<ItemId>(s.Of(1).begin(), s.Of(1).end()), (std::vector<ItemId>{3}));
  EXPECT_EQ(std::vector<ItemId>(s.Of(2).begin(), s.Of(2).end()), (std::vector<ItemId>{1, 7}));
}

TEST(Interactions, SelectReordersEveryColumn) {
  Interactions x;
  x.num_users = 3;
  x.num_items = 3;
  x.users = {0, 1, 2};
  x.items = {2, 1, 0};
  x.ratings = {1, 2, 3};
  x.timestamps = {10, 20, 30};
  const int64_t order[] = {2, 0};
  const Interactions y = x.Select(order);
  EXPECT_EQ(y.users, (std::vector<UserId>{2, 0}));
  EXPECT_EQ(y.items, (std::vector<ItemId>{0, 2}));
  EXPECT_EQ(y.ratings, (std::vector<float>{3, 1}));
  EXPECT_EQ(y.timestamps, (std::vector<int64_t>{30, 10}));
  EXPECT_EQ(y.num_users, 3);
}

}  // namespace
}  // namespace mtrec

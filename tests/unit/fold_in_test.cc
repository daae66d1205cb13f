// Fold-in (infer/fold_in.h): a new user's embedding fitted with training's own
// backprop and lazy Adam against a frozen model.
#include "mtrec/infer/fold_in.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mtrec/core/thread_pool.h"

namespace mtrec {
namespace {

constexpr int kUsers = 9, kItems = 60;

MultiTaskNet RandomNet(bool shared) {
  ModelConfig config;
  config.num_users = kUsers;
  config.num_items = kItems;
  config.embedding_dim = 16;
  config.hidden_layers = {8};
  config.shared_embeddings = shared;
  MultiTaskNet net(config);
  net.InitRandom(11);
  // Embeddings of a trained model's scale (the init's standard deviation is
  // 1/dim), so that a user vector of moderate length can separate items.
  for (float& v : net.params().first(net.roles().mlp_offset)) v *= 8;
  return net;
}

// Items 1..6 rated high, 40 and 41 low.
const std::vector<RatedItem> kRatings = {{1, 5}, {2, 5}, {3, 4},  {4, 5},
                                         {5, 4}, {6, 5}, {40, 1}, {41, 2}};

FoldInResult Fit(const MultiTaskNet& net, int threads) {
  ThreadPool pool(threads);
  TrainConfig train;
  Result<FoldInResult> r = FoldInUser(net, kRatings, train, FoldInConfig{}, pool);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

class FoldInTest : public ::testing::TestWithParam<bool> {};

TEST_P(FoldInTest, FitsOnlyTheNewRowLowersTheLossAndRanksTheRatedItemsHigh) {
  const MultiTaskNet base = RandomNet(GetParam());
  const FoldInResult r = Fit(base, 1);
  const MultiTaskNet& net = *r.net;
  ASSERT_EQ(r.user, kUsers);
  ASSERT_EQ(net.config().num_users, kUsers + 1);
  EXPECT_LT(r.last_loss, 0.8 * r.first_loss);

  // Every parameter but the new user's row(s) is the base model's, bit for bit.
  const MultiTaskNet::Roles& roles = net.roles();
  for (const ParamBlock& b : base.layout().blocks()) {
    const int index = net.layout().Find(b.name);
    const ParamBlock& to = net.layout().block(index);
    const bool user_table = index == roles.u_fact || index == roles.u_reg;
    ASSERT_EQ(to.size(), b.size() + (user_table ? b.cols : 0)) << b.name;
    EXPECT_TRUE(std::equal(base.params().begin() + b.offset,
                           base.params().begin() + b.offset + b.size(),
                           net.params().begin() + to.offset))
        << b.name;
    if (user_table) {
      const float* row = net.Row(index, r.user);
      EXPECT_TRUE(std::any_of(row, row + b.cols, [](float v) { return v != 0; })) << b.name;
    }
  }

  // Every item rated high outranks the median unrated item.
  std::vector<float> scores(kItems);
  net.ScoreAllItems(r.user, scores);
  std::vector<float> unrated;
  for (int i = 0; i < kItems; ++i) {
    const bool rated = std::any_of(kRatings.begin(), kRatings.end(),
                                   [i](const RatedItem& x) { return x.item == i; });
    if (!rated) unrated.push_back(scores[i]);
  }
  std::nth_element(unrated.begin(), unrated.begin() + unrated.size() / 2, unrated.end());
  const float median = unrated[unrated.size() / 2];
  for (const RatedItem& x : kRatings) {
    if (x.rating >= 4) {
      EXPECT_GT(scores[x.item], median) << "item " << x.item;
    }
  }
}

TEST_P(FoldInTest, IsBitIdenticalForAnyThreadCount) {
  const MultiTaskNet base = RandomNet(GetParam());
  const FoldInResult one = Fit(base, 1);
  const FoldInResult two = Fit(base, 2);
  EXPECT_EQ(one.first_loss, two.first_loss);
  EXPECT_EQ(one.last_loss, two.last_loss);
  EXPECT_TRUE(std::equal(one.net->params().begin(), one.net->params().end(),
                         two.net->params().begin(), two.net->params().end()));
}

std::string EmbeddingsName(const ::testing::TestParamInfo<bool>& p) {
  return p.param ? "Shared" : "Separate";
}
INSTANTIATE_TEST_SUITE_P(Embeddings, FoldInTest, ::testing::Values(true, false), EmbeddingsName);

TEST(FoldInUser, RefusesNoRatingsAndADivergingLoss) {
  const MultiTaskNet base = RandomNet(true);
  ThreadPool pool(1);
  EXPECT_EQ(FoldInUser(base, {}, TrainConfig{}, FoldInConfig{}, pool).status().code(),
            Status::Code::kInvalidArgument);
  FoldInConfig reckless;
  reckless.learning_rate = 1e30;
  const Status s = FoldInUser(base, kRatings, TrainConfig{}, reckless, pool).status();
  EXPECT_EQ(s.code(), Status::Code::kAborted);  // a runtime failure, not a bad argument
  EXPECT_NE(s.message().find("fold-in diverged"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace mtrec

// Top-k ranking metrics and top-k selection against hand-computed values.
#include "mtrec/eval/ranking_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/top_k.h"
#include "support/function_scorer.h"

namespace mtrec {
namespace {

using testing::FunctionScorer;

Interactions Make(std::vector<UserId> users, std::vector<ItemId> items) {
  Interactions x;
  x.users = std::move(users);
  x.items = std::move(items);
  x.ratings.assign(x.users.size(), 1.0f);
  x.num_users = 3;
  x.num_items = 5;
  return x;
}

TEST(RankingMetrics, MatchesAHandComputedExample) {
  // User 1 scores items 0..4 as below; item 1 is a training item (not a
  // candidate); items 3 and 4 are its test items. Candidates by score:
  // 3 (0.7), 2 (0.5), 4 (0.3), 0 (0.1). User 2 has a test item it also trained
  // on, so no relevant candidate: not averaged. User 0 has no test items.
  const std::vector<float> scores = {0.1f, 0.9f, 0.5f, 0.7f, 0.3f};
  const auto train = UserItemSets::Build(Make({1, 2}, {1, 0}));
  const auto test = UserItemSets::Build(Make({1, 1, 1, 2}, {3, 4, 3, 0}));
  ThreadPool pool(2);
  const RankingMetrics m =
      EvaluateRanking(FunctionScorer(5,
                                     [&](UserId, std::span<float> out) {
                                       std::copy(scores.begin(), scores.end(), out.begin());
                                     }),
                      test, train, 2, pool);
  EXPECT_EQ(m.users, 1);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);  // top-2 = {3, 2}: one hit
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.hit_rate, 1.0);
  EXPECT_DOUBLE_EQ(m.ndcg, 1.0 / (1.0 + 1.0 / std::log2(3.0)));
  EXPECT_DOUBLE_EQ(m.auc, 0.75);  // 3 beats 0 and 2; 4 beats 0 only
}

TEST(RankingMetrics, PerfectAndTiedRankings) {
  const auto train = UserItemSets::Build(Make({}, {}));
  const auto test = UserItemSets::Build(Make({0, 0}, {2, 4}));
  ThreadPool pool(1);
  const std::vector<float> perfect = {0, 0, 3, 0, 2};
  RankingMetrics m =
      EvaluateRanking(FunctionScorer(5,
                                     [&](UserId, std::span<float> out) {
                                       std::copy(perfect.begin(), perfect.end(), out.begin());
                                     }),
                      test, train, 2, pool);
  EXPECT_DOUBLE_EQ(m.ndcg, 1.0);
  EXPECT_DOUBLE_EQ(m.auc, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  // All scores equal: ties go to the lower id (top-2 = {0, 1}: no hit), AUC 1/2.
  m = EvaluateRanking(
      FunctionScorer(
          5, [&](UserId, std::span<float> out) { std::fill(out.begin(), out.end(), 1.0f); }),
      test, train, 2, pool);
  EXPECT_DOUBLE_EQ(m.hit_rate, 0.0);
  EXPECT_DOUBLE_EQ(m.auc, 0.5);
}

// AUC (counted with SIMD compares against the distinct relevant scores) and
// precision@k equal their definitions computed pair by pair and by a full sort,
// on random scores full of ties, with several users per scoring group.
TEST(RankingMetrics, EqualsTheDefinitionsOnRandomScoresWithTies) {
  constexpr int32_t kUsers = 40, kItems = 70;
  std::mt19937 gen(9);
  std::vector<float> matrix(static_cast<size_t>(kUsers) * kItems);
  for (float& v : matrix) v = static_cast<float>(gen() % 6);
  Interactions train, test;
  train.num_users = test.num_users = kUsers;
  train.num_items = test.num_items = kItems;
  for (int n = 0; n < 900; ++n) {
    Interactions& x = n % 3 == 0 ? test : train;
    x.users.push_back(static_cast<UserId>(gen() % kUsers));
    x.items.push_back(static_cast<ItemId>(gen() % kItems));
    x.ratings.push_back(1.0f);
  }
  const auto train_sets = UserItemSets::Build(train);
  const auto test_sets = UserItemSets::Build(test);
  const FunctionScorer scorer(kItems, [&](UserId u, std::span<float> out) {
    std::copy_n(matrix.begin() + static_cast<int64_t>(u) * kItems, kItems, out.begin());
  });
  constexpr int kK = 5;
  double auc_sum = 0, precision_sum = 0;
  int64_t users = 0;
  for (UserId u = 0; u < kUsers; ++u) {
    std::vector<uint8_t> candidate(kItems, 1), relevant(kItems, 0);
    for (ItemId i : train_sets.Of(u)) candidate[i] = 0;
    for (ItemId i : test_sets.Of(u)) relevant[i] = candidate[i];
    const float* score = matrix.data() + static_cast<int64_t>(u) * kItems;
    double pairs = 0, correct = 0;
    std::vector<ItemId> ranked;
    for (ItemId i = 0; i < kItems; ++i) {
      if (candidate[i]) ranked.push_back(i);
      for (ItemId j = 0; j < kItems; ++j) {
        if (!relevant[i] || !candidate[j] || relevant[j]) continue;
        pairs += 1;
        correct += score[i] > score[j] ? 1.0 : score[i] == score[j] ? 0.5 : 0.0;
      }
    }
    if (std::count(relevant.begin(), relevant.end(), 1) == 0) continue;
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](ItemId a, ItemId b) { return score[a] > score[b]; });
    double hits = 0;
    for (int r = 0; r < kK; ++r) hits += relevant[ranked[r]];
    auc_sum += pairs > 0 ? correct / pairs : 1.0;
    precision_sum += hits / kK;
    ++users;
  }
  ASSERT_GT(users, 20);
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    const RankingMetrics m = EvaluateRanking(scorer, test_sets, train_sets, kK, pool);
    EXPECT_EQ(m.users, users);
    EXPECT_NEAR(m.auc, auc_sum / static_cast<double>(users), 1e-12);
    EXPECT_NEAR(m.precision, precision_sum / static_cast<double>(users), 1e-12);
  }
}

TEST(TopK, OrdersByScoreThenIdAndSkipsNonCandidates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> scores = {1, 3, nan, 3, 2, 5};
  const std::vector<uint8_t> candidate = {1, 1, 1, 1, 1, 0};
  EXPECT_EQ(TopK(scores, candidate, 10), (std::vector<ItemId>{1, 3, 4, 0, 2}));
  EXPECT_EQ(TopK(scores, candidate, 2), (std::vector<ItemId>{1, 3}));
  EXPECT_TRUE(TopK(scores, candidate, 0).empty());
}

// The bounded-heap selection equals a full sort by (score desc, NaN last, id
// asc) on vectors full of ties, NaNs and infinities, for every k.
TEST(TopK, EqualsAFullSortOnRandomScoresWithTiesAndNaNs) {
  std::mt19937 gen(5);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + gen() % 120;  // runs of 16 the pass may skip at once
    std::vector<float> scores(n);
    std::vector<uint8_t> candidate(n);
    for (size_t i = 0; i < n; ++i) {
      const auto r = gen() % 10;
      scores[i] = r == 0 ? nan : r == 1 ? -inf : r == 2 ? inf : static_cast<float>(gen() % 4);
      candidate[i] = gen() % 5 != 0;
    }
    std::vector<ItemId> sorted;
    for (size_t i = 0; i < n; ++i) {
      if (candidate[i]) sorted.push_back(static_cast<ItemId>(i));
    }
    std::stable_sort(sorted.begin(), sorted.end(), [&](ItemId a, ItemId b) {
      const bool na = std::isnan(scores[a]), nb = std::isnan(scores[b]);
      if (na || nb) return !na && nb;
      return scores[a] > scores[b];
    });
    // The same candidates as a mask of every item less an ascending excluded
    // list (as a user's seen items are given), into a reused vector.
    const std::vector<uint8_t> all(n, 1);
    std::vector<ItemId> excluded, out;
    for (size_t i = 0; i < n; ++i) {
      if (!candidate[i]) excluded.push_back(static_cast<ItemId>(i));
    }
    for (int k : {1, 2, 5, static_cast<int>(n), static_cast<int>(n) + 3}) {
      std::vector<ItemId> expected(sorted.begin(),
                                   sorted.begin() + std::min<size_t>(sorted.size(), k));
      ASSERT_EQ(TopK(scores, candidate, k), expected) << "trial " << trial << " k " << k;
      TopK(scores, all, excluded, k, out);
      ASSERT_EQ(out, expected) << "trial " << trial << " k " << k << " (excluded list)";
    }
  }
}

TEST(MeanAbsoluteError, IsTheMeanOfAbsoluteDifferences) {
  const std::vector<float> r = {1, 2, 3}, p = {2, 2, 1};
  EXPECT_DOUBLE_EQ(MeanAbsoluteError(r, p), 1.0);
}

}  // namespace
}  // namespace mtrec

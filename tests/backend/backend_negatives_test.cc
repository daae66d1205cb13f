// TrainConfig::negatives: each row's negative is the highest-scored of its K
// candidates, drawn as rng.randint(0, num_items, K * len(batch)) after the
// epoch's shuffle, scored by the model as it stands before the step.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "mtrec/core/numpy_rng.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/train/trainer.h"
#include "support/backend_test_util.h"

namespace mtrec {
namespace {

class BackendNegatives : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(GetParam()); }
};

TEST_P(BackendNegatives, EachRowTakesItsHighestScoredCandidate) {
  constexpr int kCandidates = 6;
  const testing::SmallData& data = testing::SmallSyntheticData();
  const std::unique_ptr<Backend> backend = testing::NewBackend(
      GetParam(), testing::SmallModelConfig(data.train, /*shared=*/false), 2, /*init_seed=*/7);
  TrainConfig tc = testing::SmallTrainConfig();
  tc.negatives = kCandidates;
  Trainer trainer(tc, backend.get());

  // The stream the trainer draws from: the shuffle, then each batch's candidates.
  NumpyLegacyRng rng(tc.seed);
  std::vector<int32_t> order(data.train.size());
  std::iota(order.begin(), order.end(), 0);
  rng.Shuffle(std::span<int32_t>(order));
  int checked_steps = 0, hard_picks = 0;
  trainer.SetStepHook(
      [&](const StepView& v) {
        if (v.step >= 3) return;
        const size_t n = v.batch.size();
        std::vector<ItemId> candidates(n * kCandidates);
        rng.RandIntFill(static_cast<uint32_t>(data.train.num_items), std::span<ItemId>(candidates));
        const MultiTaskNet& net = backend->net();  // before this step's update
        for (size_t s = 0; s < n; ++s) {
          const UserId u = v.batch.users[s];
          size_t best = s * kCandidates;
          for (size_t c = best + 1; c < (s + 1) * kCandidates; ++c) {
            if (net.Score(u, candidates[c]) > net.Score(u, candidates[best])) best = c;
          }
          ASSERT_EQ(v.batch.negatives[s], candidates[best]) << "step " << v.step << " row " << s;
          hard_picks += best != s * kCandidates;
        }
        ++checked_steps;
      },
      /*needs_gradient=*/true);
  ASSERT_TRUE(trainer.TrainEpoch(data.train).ok());
  EXPECT_EQ(checked_steps, 3);
  EXPECT_GT(hard_picks, 0);  // not simply the first draw
}

TEST_P(BackendNegatives, OneCandidateIsTheOriginalStream) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  const std::unique_ptr<Backend> backend = testing::NewBackend(
      GetParam(), testing::SmallModelConfig(data.train, true), 2, /*init_seed=*/7);
  Trainer trainer(testing::SmallTrainConfig(), backend.get());
  NumpyLegacyRng rng(testing::SmallTrainConfig().seed);
  std::vector<int32_t> order(data.train.size());
  std::iota(order.begin(), order.end(), 0);
  rng.Shuffle(std::span<int32_t>(order));
  int checked = 0;
  trainer.SetStepHook([&](const StepView& v) {
    std::vector<ItemId> expected(v.batch.size());
    rng.RandIntFill(static_cast<uint32_t>(data.train.num_items), std::span<ItemId>(expected));
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), v.batch.negatives.begin()));
    EXPECT_EQ(v.batch.users[0], data.train.users[order[v.step * 300]]);
    ++checked;
  });
  ASSERT_TRUE(trainer.TrainEpoch(data.train).ok());
  EXPECT_GT(checked, 1);
}

// unseen_negatives: no negative is one of its user's training items, for one
// candidate and for the hardest of several; without it some are (the data is
// dense enough for the check to fail).
TEST_P(BackendNegatives, UnseenNegativesAreNeverTrainingItems) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  const UserItemSets seen = UserItemSets::Build(data.train);
  for (int candidates : {1, 4}) {
    for (bool unseen : {false, true}) {
      SCOPED_TRACE(std::to_string(candidates) + (unseen ? " unseen" : " any"));
      const std::unique_ptr<Backend> backend = testing::NewBackend(
          GetParam(), testing::SmallModelConfig(data.train, false), 2, /*init_seed=*/7);
      TrainConfig tc = testing::SmallTrainConfig();
      tc.negatives = candidates;
      tc.unseen_negatives = unseen;
      Trainer trainer(tc, backend.get());
      int64_t rows = 0, seen_negatives = 0;
      trainer.SetStepHook([&](const StepView& v) {
        for (size_t s = 0; s < v.batch.size(); ++s) {
          const std::span<const ItemId> items = seen.Of(v.batch.users[s]);
          seen_negatives += std::binary_search(items.begin(), items.end(), v.batch.negatives[s]);
          ++rows;
        }
      });
      ASSERT_TRUE(trainer.TrainEpoch(data.train).ok());
      ASSERT_EQ(rows, static_cast<int64_t>(data.train.size()));
      if (unseen) {
        EXPECT_EQ(seen_negatives, 0);
      } else {
        EXPECT_GT(seen_negatives, rows / 100);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendNegatives, ::testing::ValuesIn(BackendNames()),
                         testing::BackendParamName());

}  // namespace
}  // namespace mtrec

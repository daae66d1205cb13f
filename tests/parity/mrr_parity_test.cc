// MRR and MSE semantics against the original's mrr_score/mse_score on a fixed
// score matrix full of ties (golden/mrr_ties.txt).
#include <gtest/gtest.h>

#include <algorithm>

#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/block_scorer.h"
#include "mtrec/eval/mrr.h"
#include "mtrec/eval/mse.h"
#include "support/function_scorer.h"
#include "support/golden_file.h"

namespace mtrec {
namespace {

using testing::FunctionScorer;
using testing::GoldenFile;
using testing::TestDataPath;

// A BlockScorer over a fixed [users x items] score matrix.
FunctionScorer MatrixScorer(const std::vector<float>& scores, int32_t num_items) {
  return FunctionScorer(num_items, [&scores, num_items](UserId u, std::span<float> out) {
    std::copy_n(scores.begin() + int64_t{u} * num_items, num_items, out.begin());
  });
}

Interactions Pairs(const GoldenFile& g, const std::string& prefix, int32_t nu, int32_t ni) {
  Interactions x;
  x.num_users = nu;
  x.num_items = ni;
  for (int u : g.Ints(prefix + ".users")) x.users.push_back(u);
  for (int i : g.Ints(prefix + ".items")) x.items.push_back(i);
  x.ratings.assign(x.users.size(), 1.0f);
  return x;
}

TEST(MrrParity, MatchesScipyRankdataWithTies) {
  auto loaded = GoldenFile::Load(TestDataPath("golden/mrr_ties.txt"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const GoldenFile& g = *loaded;
  const auto nu = static_cast<int32_t>(g.Scalar("num_users"));
  const auto ni = static_cast<int32_t>(g.Scalar("num_items"));
  const std::vector<float> scores = g.Floats("scores");
  const UserItemSets train = UserItemSets::Build(Pairs(g, "train", nu, ni));
  const UserItemSets test = UserItemSets::Build(Pairs(g, "test", nu, ni));
  for (int threads : {1, 3}) {
    ThreadPool pool(threads);
    const MrrResult r = MeanReciprocalRank(MatrixScorer(scores, ni), test, train, pool);
    const std::vector<double>& per_user = g.Get("mrr_per_user");
    ASSERT_EQ(r.per_user.size(), per_user.size());
    for (size_t k = 0; k < per_user.size(); ++k) EXPECT_NEAR(r.per_user[k], per_user[k], 1e-12);
    EXPECT_NEAR(r.mrr, g.Scalar("mrr"), 1e-12);
    EXPECT_EQ(r.users, static_cast<int64_t>(per_user.size()));
  }
}

TEST(MseParity, MatchesNumpy) {
  auto loaded = GoldenFile::Load(TestDataPath("golden/mrr_ties.txt"));
  ASSERT_TRUE(loaded.ok());
  const std::vector<float> pred = loaded->Floats("mse.pred");
  const std::vector<float> target = loaded->Floats("mse.target");
  EXPECT_NEAR(MeanSquaredError(target, pred), loaded->Scalar("mse"), 1e-6 * loaded->Scalar("mse"));
}

TEST(MrrSemantics, HandComputedRanks) {
  // Items 0..4, scores (higher is better) 3, 1, 1, 5, 2; item 3 is a train
  // item (ranked last), test items 1 and 2 tie with each other.
  std::vector<float> scores = {3, 1, 1, 5, 2};
  const ItemId train[] = {3};
  const ItemId test[] = {1, 2};
  // -scores = -3, -1, -1, FLT_MAX, -2 -> ranks 1, 3.5, 3.5, 5, 2.
  EXPECT_DOUBLE_EQ(UserReciprocalRank(scores, train, test), 1.0 / 3.5);
  std::vector<float> scores2 = {3, 1, 1, 5, 2};
  const ItemId test2[] = {0, 4};
  EXPECT_DOUBLE_EQ(UserReciprocalRank(scores2, train, test2), (1.0 + 0.5) / 2);
}

}  // namespace
}  // namespace mtrec

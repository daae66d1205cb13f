// Every backend's scoring against the definitions: MakeScorer()'s ScoreBlock
// and ScoreOne and ScoreAllItems agree bit for bit (ranks depend on exact
// ties) and match a double-precision factorisation score; MeanReciprocalRank
// equals the reference UserReciprocalRank (eval/mrr.h) user by user, ties and
// train items included; PredictRatings matches a double-precision MLP forward.
// Across backends: the same parameters give the CPU backend's scores,
// predictions and MRR within the stated tolerances (exactly, for cpu itself).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <tuple>

#include "mtrec/eval/mrr.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/train/trainer.h"
#include "support/backend_test_util.h"

namespace mtrec {
namespace {

// Within one backend, against the double-precision references: float32 sums
// of a few dozen terms, normwise relative (to the largest |value| compared).
constexpr double kReferenceRelTol = 1e-5;
// Between backends: kCrossBackendRelTol and kCrossBackendMrrTol
// (support/backend_test_util.h); for "cpu" against itself both are 0.

double CrossBackendTolerance(const std::string& backend, double tol) {
  return backend == "cpu" ? 0.0 : tol;
}

class BackendScoring : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(GetParam()); }
};

TEST_P(BackendScoring, ScoreBlockScoreOneAndScoreAllItemsAgreeBitForBit) {
  // 16s and a tail; last, separate tables whose ranking ones are 21 wide (the rest 8)
  for (const auto& [dim, user_bias, ranking_dim] :
       {std::tuple{32, false, 0}, std::tuple{13, true, 0}, std::tuple{40, true, 0},
        std::tuple{8, true, 21}}) {
    SCOPED_TRACE("dim " + std::to_string(dim) + " ranking_dim " + std::to_string(ranking_dim));
    ModelConfig mc;
    mc.num_users = 9;
    mc.num_items = 1100;  // 68 whole groups of 16 items and a partial one
    mc.embedding_dim = dim;
    mc.user_bias = user_bias;
    mc.shared_embeddings = ranking_dim == 0;
    mc.ranking_dim = ranking_dim;
    const std::unique_ptr<Backend> backend = testing::NewBackend(GetParam(), mc, 2);
    ASSERT_NE(backend, nullptr);
    testing::FillUniform(*backend, 0.5f, 12);  // non-zero item and user biases
    const std::vector<double> p = testing::ParamsAsDouble(backend->net());
    const std::unique_ptr<BlockScorer> scorer = backend->MakeScorer();
    ASSERT_EQ(scorer->num_items(), mc.num_items);
    const std::vector<UserId> users = {0, 4, 8, 3, 3};
    constexpr int64_t kLd = 1104;  // num_items rounded up to kItemAlignment
    std::vector<std::vector<float>> all(users.size(), std::vector<float>(mc.num_items));
    for (size_t r = 0; r < users.size(); ++r) backend->ScoreAllItems(users[r], all[r]);
    for (const auto& [begin, end] :
         {std::pair{0, 1100}, std::pair{1024, 1100}, std::pair{16, 48}, std::pair{96, 101}}) {
      SCOPED_TRACE("items [" + std::to_string(begin) + ", " + std::to_string(end) + ")");
      std::vector<float> out(users.size() * kLd, std::nanf(""));
      scorer->ScoreBlock(users, begin, end, out.data(), kLd);
      for (size_t r = 0; r < users.size(); ++r) {
        for (ItemId i = begin; i < end; ++i) {
          const float block = out[r * kLd + (i - begin)];
          ASSERT_EQ(block, scorer->ScoreOne(users[r], i)) << "user " << users[r] << " item " << i;
          ASSERT_EQ(block, all[r][i]) << "user " << users[r] << " item " << i;
        }
      }
    }
    double scale = 0, worst = 0;
    for (size_t r = 0; r < users.size(); ++r) {
      for (ItemId i = 0; i < mc.num_items; ++i) {
        scale = std::max(scale, std::fabs(testing::ReferenceScore(backend->net(), p, users[r], i)));
      }
    }
    for (size_t r = 0; r < users.size(); ++r) {
      for (ItemId i = 0; i < mc.num_items; ++i) {
        const double want = testing::ReferenceScore(backend->net(), p, users[r], i);
        worst = std::max(worst, std::fabs(all[r][i] - want));
      }
    }
    ASSERT_GT(scale, 0.5);
    EXPECT_LE(worst, kReferenceRelTol * scale) << "scores vs the double-precision definition";
  }
}

TEST_P(BackendScoring, MeanReciprocalRankEqualsTheReferenceDefinition) {
  for (int variant = 0; variant < 3; ++variant) {
    const bool user_bias = variant >= 1;
    SCOPED_TRACE(std::string(user_bias ? "user bias" : "no user bias") +
                 (variant == 2 ? ", separate, ranking_dim 5" : ""));
    ModelConfig mc;
    mc.num_users = 30;
    mc.num_items = 1500;  // two chunks of 1024 items, the last partial and unaligned
    mc.embedding_dim = 8;
    mc.user_bias = user_bias;
    mc.shared_embeddings = variant < 2;
    mc.ranking_dim = variant == 2 ? 5 : 0;
    const std::unique_ptr<Backend> backend = testing::NewBackend(GetParam(), mc, 3, 4);
    ASSERT_NE(backend, nullptr);
    backend->WriteParams([&](MultiTaskNet& net) {
      const MultiTaskNet::Roles& roles = net.roles();
      const ParamBlock& q = net.layout().block(roles.q_fact);
      const ParamBlock& b = net.layout().block(roles.item_bias);
      std::span<float> params = net.params();
      // Items 40..59 copy item 39 (tied for every user); user 2 has a zero
      // factor, so its scores are the item biases, tied in groups of ten.
      for (int64_t i = 0; i < mc.num_items; ++i)
        params[b.offset + i] = 0.01f * static_cast<float>(i % 10);
      for (int64_t i = 40; i < 60; ++i) {
        std::copy_n(params.begin() + q.offset + 39 * q.cols, q.cols,
                    params.begin() + q.offset + i * q.cols);
        params[b.offset + i] = params[b.offset + 39];
      }
      const ParamBlock& u = net.layout().block(roles.u_fact);
      std::fill_n(params.begin() + u.offset + 2 * u.cols, u.cols, 0.0f);
      if (roles.user_bias >= 0) {
        const ParamBlock& a = net.layout().block(roles.user_bias);
        for (int64_t k = 0; k < a.size(); ++k)
          params[a.offset + k] = 0.1f * static_cast<float>(k % 3);
      }
    });
    std::mt19937 gen(8);
    Interactions train, test;
    train.num_users = test.num_users = mc.num_users;
    train.num_items = test.num_items = mc.num_items;
    auto add = [](Interactions& x, UserId u, ItemId i) {
      x.users.push_back(u);
      x.items.push_back(i);
      x.ratings.push_back(3);
    };
    for (int k = 0; k < 2000; ++k) {
      const auto u = static_cast<UserId>(gen() % 25);  // users 25..29 have no test items
      add(k % 4 == 0 ? test : train, u, static_cast<ItemId>(gen() % mc.num_items));
    }
    for (int k = 0; k < 40; ++k) add(test, 3, static_cast<ItemId>(gen() % mc.num_items));
    for (ItemId i : {39, 45, 50}) add(test, 2, i);  // tied test items
    for (ItemId i : {41, 55}) add(train, 2, i);     // tied train items, ranked last
    for (ItemId i : {39, 47}) add(test, 7, i);      // tied with items 40..59
    add(test, train.users[0], train.items[0]);      // a test item that is a train item
    const UserItemSets train_sets = UserItemSets::Build(train);
    const UserItemSets test_sets = UserItemSets::Build(test);

    const MrrResult fast = backend->MeanReciprocalRank(test_sets, train_sets);
    size_t k = 0;
    double sum = 0;
    for (UserId u = 0; u < mc.num_users; ++u) {
      if (test_sets.Of(u).empty()) continue;
      std::vector<float> scores(mc.num_items);
      backend->ScoreAllItems(u, scores);
      const double expected = UserReciprocalRank(scores, train_sets.Of(u), test_sets.Of(u));
      ASSERT_LT(k, fast.per_user.size());
      EXPECT_NEAR(fast.per_user[k], expected, 1e-12 * expected) << "user " << u;
      sum += expected;
      ++k;
    }
    EXPECT_EQ(k, 25u);
    EXPECT_EQ(static_cast<size_t>(fast.users), k);
    EXPECT_EQ(fast.per_user.size(), k);
    EXPECT_NEAR(fast.mrr, sum / static_cast<double>(k), 1e-12);
    // Ties were there to be ranked: user 2 scores its test items equally.
    std::vector<float> scores(mc.num_items);
    backend->ScoreAllItems(2, scores);
    EXPECT_EQ(scores[39], scores[45]);
    EXPECT_EQ(scores[39], scores[29]);
    // The same on one thread.
    const std::unique_ptr<Backend> single = testing::NewBackendFrom(GetParam(), backend->net(), 1);
    ASSERT_NE(single, nullptr);
    const MrrResult one = single->MeanReciprocalRank(test_sets, train_sets);
    EXPECT_EQ(one.mrr, fast.mrr);
    EXPECT_EQ(one.per_user, fast.per_user);
  }
}

TEST_P(BackendScoring, PredictRatingsEqualsADoublePrecisionForward) {
  for (int layout = 0; layout < 4; ++layout) {
    const bool shared = layout % 2 == 0;
    SCOPED_TRACE(std::string(shared ? "shared" : "separate") +
                 (layout >= 2 ? " rating biases and dot" : "") +
                 (layout == 3 ? " and the implicit term, ranking_dim 11" : ""));
    ModelConfig mc;
    mc.num_users = 40;
    mc.num_items = 50;
    mc.embedding_dim = 7;  // the MLP input (21) is padded
    mc.hidden_layers = {16, 9};
    mc.shared_embeddings = shared;
    mc.rating_biases = mc.rating_dot = layout >= 2;
    mc.rating_implicit = layout == 3;
    mc.ranking_dim = layout == 3 ? 11 : 0;
    const std::unique_ptr<Backend> backend = testing::NewBackend(GetParam(), mc, 3);
    ASSERT_NE(backend, nullptr);
    testing::FillUniform(*backend, 0.6f, 31);
    const std::vector<double> p = testing::ParamsAsDouble(backend->net());
    std::mt19937 gen(2);
    std::vector<UserId> users;
    std::vector<ItemId> items;
    for (int k = 0; k < 601; ++k) {  // more than one chunk of work, the last partial
      users.push_back(static_cast<UserId>(gen() % mc.num_users));
      items.push_back(static_cast<ItemId>(gen() % mc.num_items));
    }
    std::vector<float> got(users.size(), std::nanf(""));
    backend->PredictRatings(users, items, got);
    std::vector<double> want(users.size());
    double scale = 0;
    int positive = 0;
    for (size_t k = 0; k < users.size(); ++k) {
      want[k] = testing::ReferencePrediction(backend->net(), p, users[k], items[k]);
      scale = std::max(scale, std::fabs(want[k]));
      positive += want[k] > 0;
    }
    ASSERT_GT(scale, 0.1);
    ASSERT_GT(positive, 0);
    ASSERT_LT(positive, static_cast<int>(users.size())) << "outputs of both signs";
    for (size_t k = 0; k < users.size(); ++k) {
      ASSERT_NEAR(got[k], want[k], kReferenceRelTol * scale) << k;
    }
    // A single pair gives the same value as within a batch.
    float one = 0;
    backend->PredictRatings(std::span(users).subspan(600, 1), std::span(items).subspan(600, 1),
                            std::span(&one, 1));
    EXPECT_EQ(one, got[600]);
  }
}

// Another backend holding the CPU backend's trained parameters scores,
// predicts and ranks as the CPU backend does, within the stated tolerances.
TEST_P(BackendScoring, AgreesWithTheCpuBackendOnTheSameState) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  for (bool shared : {true, false}) {
    SCOPED_TRACE(shared ? "shared" : "separate");
    const std::unique_ptr<Backend> cpu = testing::NewBackend(
        "cpu", testing::SmallModelConfig(data.train, shared, {16, 8}, true), 2, 5);
    ASSERT_NE(cpu, nullptr);
    Trainer trainer(testing::SmallTrainConfig(), cpu.get());
    ASSERT_TRUE(trainer.TrainEpoch(data.train).ok());
    const std::unique_ptr<Backend> other = testing::NewBackendFrom(GetParam(), cpu->net(), 2);
    ASSERT_NE(other, nullptr);
    ASSERT_EQ(testing::ParamsOf(*other), testing::ParamsOf(*cpu)) << "NewBackendFrom's copy";

    const double score_tol = CrossBackendTolerance(GetParam(), testing::kCrossBackendRelTol);
    const int32_t num_items = data.train.num_items;
    std::vector<float> want(num_items), got(num_items);
    for (UserId u = 0; u < data.train.num_users; ++u) {
      cpu->ScoreAllItems(u, want);
      other->ScoreAllItems(u, got);
      float scale = 0;
      for (float v : want) scale = std::max(scale, std::fabs(v));
      for (ItemId i = 0; i < num_items; ++i)
        ASSERT_NEAR(got[i], want[i], score_tol * scale) << "user " << u << " item " << i;
    }
    const Interactions& test = data.test;
    std::vector<float> want_r(test.size()), got_r(test.size());
    cpu->PredictRatings(test.users, test.items, want_r);
    other->PredictRatings(test.users, test.items, got_r);
    float scale = 0;
    for (float v : want_r) scale = std::max(scale, std::fabs(v));
    for (size_t k = 0; k < test.size(); ++k)
      ASSERT_NEAR(got_r[k], want_r[k], score_tol * scale) << k;

    const Evaluator evaluator(data.train, data.test);
    const EvalResult a = evaluator.Evaluate(*cpu), b = evaluator.Evaluate(*other);
    EXPECT_GT(a.mrr, 0);
    EXPECT_NEAR(b.mrr, a.mrr, CrossBackendTolerance(GetParam(), testing::kCrossBackendMrrTol));
    // Predictions within delta of the CPU backend's move the MSE by at most
    // 2 sqrt(MSE) delta + delta^2.
    const double delta = score_tol * scale;
    EXPECT_NEAR(b.mse, a.mse, 2 * std::sqrt(a.mse) * delta + delta * delta);
    EXPECT_EQ(b.mrr_users, a.mrr_users);
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendScoring, ::testing::ValuesIn(BackendNames()),
                         testing::BackendParamName());

}  // namespace
}  // namespace mtrec

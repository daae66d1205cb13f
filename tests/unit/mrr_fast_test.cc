// The fast MRR (blocked GEMM scores, SIMD rank counting) against the reference
// definition, on a real model and on score matrices full of ties.
#include <gtest/gtest.h>

#include <random>

#include "mtrec/backend/cpu/factorization_scorer.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/mrr.h"
#include "mtrec/model/multitask_net.h"
#include "support/synthetic.h"

namespace mtrec {
namespace {

// Users with many test items (many passes of four thresholds), items spanning
// several chunks, train items among the test items.
TEST(FastMrr, EqualsTheReferenceDefinition) {
  for (bool user_bias : {false, true}) {
    ModelConfig mc;
    mc.num_users = 30;
    mc.num_items = 2500;  // three chunks of 1024, the last partial and unaligned
    mc.embedding_dim = 12;
    mc.user_bias = user_bias;
    MultiTaskNet net(mc);
    net.InitRandom(4);
    std::mt19937 gen(8);
    Interactions train, test;
    train.num_users = test.num_users = mc.num_users;
    train.num_items = test.num_items = mc.num_items;
    for (int k = 0; k < 3000; ++k) {
      const UserId u = static_cast<UserId>(gen() % mc.num_users);
      (k % 4 == 0 ? test : train).users.push_back(u);
      (k % 4 == 0 ? test : train).items.push_back(static_cast<ItemId>(gen() % mc.num_items));
    }
    for (int k = 0; k < 40; ++k) {  // user 3 has 40 more test items: ten counting passes
      test.users.push_back(3);
      test.items.push_back(static_cast<ItemId>(gen() % mc.num_items));
    }
    test.users.push_back(train.users[0]);  // a test item that is also a train item
    test.items.push_back(train.items[0]);
    const UserItemSets train_sets = UserItemSets::Build(train);
    const UserItemSets test_sets = UserItemSets::Build(test);
    ThreadPool pool(2);
    const FactorizationScorer scorer(net);
    const MrrResult fast = MeanReciprocalRank(scorer, test_sets, train_sets, pool);
    size_t k = 0;
    double sum = 0;
    for (UserId u = 0; u < mc.num_users; ++u) {
      if (test_sets.Of(u).empty()) continue;
      std::vector<float> scores(mc.num_items);
      for (ItemId i = 0; i < mc.num_items; ++i) scores[i] = scorer.ScoreOne(u, i);
      const double expected = UserReciprocalRank(scores, train_sets.Of(u), test_sets.Of(u));
      ASSERT_LT(k, fast.per_user.size());
      EXPECT_NEAR(fast.per_user[k], expected, 1e-9) << "user " << u;
      sum += expected;
      ++k;
    }
    EXPECT_EQ(static_cast<size_t>(fast.users), k);
    EXPECT_NEAR(fast.mrr, sum / static_cast<double>(k), 1e-12);
  }
}

// ScoreOne is bit-identical to what ScoreBlock writes: ranks depend on exact ties.
TEST(FactorizationScorer, ScoreOneMatchesScoreBlockExactly) {
  ModelConfig mc;
  mc.num_users = 9;
  mc.num_items = 100;
  mc.embedding_dim = 32;
  MultiTaskNet net(mc);
  net.InitRandom(2);
  const FactorizationScorer scorer(net);
  const std::vector<UserId> users = {0, 5, 8};
  std::vector<float> out(3 * 112);  // rows padded to a multiple of 16
  scorer.ScoreBlock(users, 96, 100, out.data(), 112);
  for (size_t r = 0; r < users.size(); ++r) {
    for (ItemId i = 96; i < 100; ++i)
      EXPECT_EQ(out[r * 112 + (i - 96)], scorer.ScoreOne(users[r], i));
  }
  scorer.ScoreBlock(users, 0, 100, out.data(), 112);
  for (size_t r = 0; r < users.size(); ++r) {
    for (ItemId i = 0; i < 100; ++i) {
      EXPECT_EQ(out[r * 112 + i], scorer.ScoreOne(users[r], i));
      std::vector<float> all(100);
      net.ScoreAllItems(users[r], all);
      EXPECT_EQ(all[i], out[r * 112 + i]);  // recommend ranks by the same values
    }
  }
}

}  // namespace
}  // namespace mtrec

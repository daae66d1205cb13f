// The calling-thread Recommend and PredictPair (infer/recommend.h), which
// Model uses on the CPU backend, against the backend's own path (the one
// Model used before): the same items, scores and ratings, bit for bit, for
// random users, k and include_seen, one scratch reused across calls and nets.
#include "mtrec/infer/recommend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "api/api_test_data.h"
#include "mtrec/backend/backend_registry.h"
#include "mtrec/infer/item_prefilter.h"
#include "support/synthetic.h"

namespace mtrec {
namespace {

using api_test::SameBits;

// A CPU backend of random weights over `data`'s tables, some item rows equal
// (ties, broken to the lower id).
std::unique_ptr<Backend> RandomCpuBackend(const Interactions& data, int dim,
                                          std::vector<int> hidden, bool shared, uint64_t seed) {
  ModelConfig config;
  config.num_users = data.num_users;
  config.num_items = data.num_items;
  config.embedding_dim = dim;
  config.hidden_layers = std::move(hidden);
  config.shared_embeddings = shared;
  config.rating_biases = !shared;
  std::unique_ptr<Backend> backend = MakeBackend("cpu", config, BackendOptions{2}).value();
  backend->WriteParams([&](MultiTaskNet& net) {
    net.InitRandom(seed);
    const int64_t cols = net.layout().block(net.roles().q_fact).cols;
    float* q = net.params().data() + net.layout().block(net.roles().q_fact).offset;
    for (int64_t i = 10; i + 7 < config.num_items; i += 37) {
      std::copy(q + i * cols, q + (i + 1) * cols, q + (i + 7) * cols);
    }
  });
  return backend;
}

void ExpectSame(const std::vector<Recommendation>& a, const std::vector<Recommendation>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t r = 0; r < a.size(); ++r) {
    EXPECT_EQ(a[r].item, b[r].item) << "rank " << r;
    EXPECT_TRUE(SameBits(a[r].score, b[r].score)) << "rank " << r;
    EXPECT_TRUE(SameBits(a[r].rating, b[r].rating)) << "rank " << r;
  }
}

TEST(HostRecommend, EqualsTheBackendsPathBitForBit) {
  RecommendScratch scratch;  // one for every net below, as a thread's is
  std::mt19937 rng(7);
  for (const bool shared : {true, false}) {
    const Interactions data = testing::MakeSyntheticRatings(120, 700, 9000, shared ? 3 : 4);
    const RecommendationCandidates known(data);
    const std::unique_ptr<Backend> backend =
        RandomCpuBackend(data, shared ? 16 : 8, shared ? std::vector<int>{32} : std::vector<int>{24, 8},
                         shared, 11);
    const MultiTaskNet& net = backend->net();
    const std::unique_ptr<const ItemPrefilter> prefilter = ItemPrefilter::Build(net);
    ASSERT_NE(prefilter, nullptr);
    for (int call = 0; call < 60; ++call) {
      // User 0 too, the phantom row outside the data: every known item.
      const UserId user = std::uniform_int_distribution<UserId>(0, data.num_users - 1)(rng);
      const int k = std::uniform_int_distribution<int>(1, call % 10 == 0 ? 800 : 40)(rng);
      const bool include_seen = call % 3 == 0;
      const std::vector<Recommendation> before =
          Recommend(*backend, user, known.For(user, include_seen), k);
      const std::vector<Recommendation> now = Recommend(net, user, known, include_seen, k, scratch);
      ExpectSame(before, now);
      // Pruned by the int8 bounds (which answer whenever k is below the
      // candidates): the same answer, ties among the copied rows too.
      if (k < known.Count(user, include_seen)) {
        std::vector<float> scores, bounds;
        std::vector<ItemId> survivors, top;
        ASSERT_TRUE(prefilter->Select(net, user, known.occurs(), known.Excluded(user, include_seen),
                                      k, scores, bounds, survivors, top));
        EXPECT_LT(survivors.size(), static_cast<size_t>(data.num_items)) << "nothing pruned";
      }
      ExpectSame(before, Recommend(net, user, known, include_seen, k, scratch, prefilter.get()));
      const std::vector<uint8_t> mask = known.For(user, include_seen);
      EXPECT_EQ(known.Count(user, include_seen), std::count(mask.begin(), mask.end(), 1));
      const ItemId item = std::uniform_int_distribution<ItemId>(0, data.num_items - 1)(rng);
      const Recommendation a = PredictPair(*backend, user, item);
      const Recommendation b = PredictPair(net, user, item, scratch);
      EXPECT_TRUE(SameBits(a.score, b.score) && SameBits(a.rating, b.rating));
    }
    // New weights of the same shape: the scratch's packed MLP is not reused.
    backend->WriteParams([](MultiTaskNet& n) { n.InitRandom(12); });
    const Recommendation a = PredictPair(*backend, 5, 6);
    const Recommendation b = PredictPair(net, 5, 6, scratch);
    EXPECT_TRUE(SameBits(a.rating, b.rating));
    ExpectSame(Recommend(*backend, 5, known.For(5, false), 30),
               Recommend(net, 5, known, false, 30, scratch));
  }
}

}  // namespace
}  // namespace mtrec

// Model::BuildIndex: the HNSW index's recommendations against the exact scan
// on a generated model of a few thousand items: recall@10 >= 0.95, the user's
// own items never returned, every score Model::Score's, the same answers from
// two builds, and the index dropped when the weights change.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "api/api_test_data.h"
#include "mtrec/dataset.h"
#include "mtrec/model.h"

namespace mtrec {
namespace {

constexpr int kUsers = 120, kItems = 3000, kK = 10;

// A model of kItems items whose ranking head has random factors and a skewed
// item bias (a few popular items), as a trained catalog has.
Model MakeModel(const Dataset& data) {
  ModelOptions options = api_test::SmallOptions();
  options.model.embedding_dim = 16;
  Result<Model> model = Model::Create(options, data);
  EXPECT_TRUE(model.ok()) << model.status().message();
  std::vector<NamedTensor> params = model->Parameters();
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::exponential_distribution<float> popularity(4.0f);
  for (NamedTensor& t : params) {
    if (t.name == "U" || t.name == "Q") {
      for (float& v : t.values) v = normal(rng);
    } else if (t.name == "B") {
      for (float& v : t.values) v = popularity(rng);
    }
  }
  EXPECT_TRUE(model->SetParameters(params).ok());
  return std::move(model).value();
}

std::vector<std::vector<Recommendation>> RecommendAll(const Model& model, bool include_seen) {
  std::vector<std::vector<Recommendation>> out;
  for (UserId u = 0; u < model.num_users(); ++u) {
    Result<std::vector<Recommendation>> top = model.Recommend(u, kK, include_seen);
    EXPECT_TRUE(top.ok()) << top.status().message();
    out.push_back(top.ok() ? *top : std::vector<Recommendation>{});
  }
  return out;
}

double Recall(const std::vector<std::vector<Recommendation>>& exact,
              const std::vector<std::vector<Recommendation>>& approx) {
  double hits = 0, total = 0;
  for (size_t u = 0; u < exact.size(); ++u) {
    std::set<ItemId> truth;
    for (const Recommendation& r : exact[u]) truth.insert(r.item);
    for (const Recommendation& r : approx[u]) hits += static_cast<double>(truth.count(r.item));
    total += static_cast<double>(truth.size());
  }
  return hits / total;
}

class ItemIndexApi : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = api_test::MakeDataset(api_test::MakeColumns(kUsers, kItems, 24000, 7));
  }
  Dataset data_;
};

TEST_F(ItemIndexApi, FindsTheExactTopTenWithTheExactScoresAndNoSeenItem) {
  Model model = MakeModel(data_);
  ASSERT_FALSE(model.index_info().has_value());
  const auto exact = RecommendAll(model, false);
  const auto exact_with_seen = RecommendAll(model, true);
  ASSERT_TRUE(model.BuildIndex({}).ok());
  ASSERT_TRUE(model.index_info().has_value());
  EXPECT_EQ(model.index_info()->kind, "hnsw");
  EXPECT_EQ(model.index_info()->items, model.num_items());
  EXPECT_GT(model.index_info()->memory_bytes, int64_t{model.num_items()} * 17 * 4);
  const auto approx = RecommendAll(model, false);
  EXPECT_GE(Recall(exact, approx), 0.95);
  EXPECT_GE(Recall(exact_with_seen, RecommendAll(model, true)), 0.95);

  std::vector<std::set<ItemId>> seen(static_cast<size_t>(model.num_users()));
  for (size_t r = 0; r < data_.interactions.size(); ++r) {
    seen[data_.interactions.users[r]].insert(data_.interactions.items[r]);
  }
  for (UserId u = 0; u < model.num_users(); ++u) {
    ASSERT_EQ(approx[u].size(), size_t{kK});
    for (size_t r = 0; r < approx[u].size(); ++r) {
      const Recommendation& rec = approx[u][r];
      EXPECT_EQ(seen[u].count(rec.item), 0u) << "user " << u << " has item " << rec.item;
      EXPECT_TRUE(api_test::SameBits(rec.score, *model.Score(u, rec.item)));
      EXPECT_TRUE(api_test::SameBits(rec.rating, model.Predict(u, rec.item)->rating));
      if (r > 0) {
        EXPECT_GE(approx[u][r - 1].score, rec.score);
      }
    }
  }
}

// Recommend asks the index once one is built (not the exact pass, which any
// recall bound above would also accept): a graph too sparse to find every
// top item misses some.
TEST_F(ItemIndexApi, AnswersFromTheIndexOnceBuilt) {
  Model model = MakeModel(data_);
  const auto exact = RecommendAll(model, false);
  IndexOptions weak;
  weak.m = 2;
  weak.ef_construction = 2;
  weak.ef_search = 1;
  ASSERT_TRUE(model.BuildIndex(weak).ok());
  EXPECT_LT(Recall(exact, RecommendAll(model, false)), 1.0);
  model.DropIndex();
  EXPECT_EQ(Recall(exact, RecommendAll(model, false)), 1.0);
}

TEST_F(ItemIndexApi, TwoBuildsGiveTheSameAnswers) {
  Model model = MakeModel(data_);
  IndexOptions options;
  options.m = 8;
  options.ef_construction = 40;
  options.ef_search = 20;  // a weak index, so that a different graph would show
  ASSERT_TRUE(model.BuildIndex(options).ok());
  const auto first = RecommendAll(model, false);
  ASSERT_TRUE(model.BuildIndex(options).ok());
  const auto second = RecommendAll(model, false);
  for (size_t u = 0; u < first.size(); ++u) {
    ASSERT_EQ(first[u].size(), second[u].size());
    for (size_t r = 0; r < first[u].size(); ++r) EXPECT_EQ(first[u][r].item, second[u][r].item);
  }
}

TEST_F(ItemIndexApi, IsDroppedWhenTheWeightsChangeAndRefusesBadOptions) {
  Model model = MakeModel(data_);
  ASSERT_TRUE(model.BuildIndex({}).ok());
  ASSERT_TRUE(model.SetParameters(model.Parameters()).ok());
  EXPECT_FALSE(model.index_info().has_value());
  IndexOptions bad;
  bad.m = 1;
  const Status s = model.BuildIndex(bad);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("index m"), std::string::npos) << s.message();
  bad = {};
  bad.ef_search = 0;
  EXPECT_EQ(model.BuildIndex(bad).code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(model.index_info().has_value());
  ASSERT_TRUE(model.BuildIndex({}).ok());
  model.DropIndex();
  EXPECT_FALSE(model.index_info().has_value());
}

// From 4,096 items the exact Recommend prunes with int8 bounds built from the
// weights on first need (infer/item_prefilter.h): after SetParameters and after
// a Fit it answers as a new model given the same weights, bit for bit.
TEST(ExactPrefilterApi, FollowsTheWeightsThroughSetParametersAndFit) {
  const Dataset data = api_test::MakeDataset(api_test::MakeColumns(40, 5000, 40000, 9));
  Model model = MakeModel(data);
  ASSERT_GE(model.num_items(), 4096);
  const auto expect_fresh_answers = [&](const char* when) {
    SCOPED_TRACE(when);
    Model fresh = MakeModel(data);
    ASSERT_TRUE(fresh.SetParameters(model.Parameters()).ok());
    for (UserId u = 1; u < model.num_users(); u += 3) {
      const Result<std::vector<Recommendation>> got = model.Recommend(u, kK);
      const Result<std::vector<Recommendation>> want = fresh.Recommend(u, kK);
      ASSERT_TRUE(got.ok() && want.ok());
      ASSERT_EQ(got->size(), want->size());
      for (size_t r = 0; r < got->size(); ++r) {
        EXPECT_EQ((*got)[r].item, (*want)[r].item) << "user " << u << " rank " << r;
        EXPECT_TRUE(api_test::SameBits((*got)[r].score, (*want)[r].score));
      }
    }
  };
  expect_fresh_answers("first");
  std::vector<NamedTensor> params = model.Parameters();
  for (NamedTensor& t : params) {
    if (t.name == "Q") {
      for (float& v : t.values) v = -v;  // every old bound wrong
    }
  }
  ASSERT_TRUE(model.SetParameters(params).ok());
  expect_fresh_answers("after SetParameters");
  FitOptions fit;
  fit.epochs = 1;
  ASSERT_TRUE(model.Fit(data.interactions, fit).ok());
  expect_fresh_answers("after Fit");
}

}  // namespace
}  // namespace mtrec

// Model::SimilarItems: the cosine of the ranking head's item rows, computed
// here independently from Parameters(), best first with ties to the lower
// row, over the known items only, never the item itself. Model::KnownItems:
// a user's distinct items of the known interactions, ascending; KnownRatings
// their range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "api/api_test_data.h"
#include "mtrec/dataset.h"
#include "mtrec/model.h"

namespace mtrec {
namespace {

using api_test::MakeColumns;
using api_test::MakeDataset;
using api_test::SmallOptions;

// The ranking head's item table: "Q" with shared embeddings, else "Q_fact".
const NamedTensor& ItemTable(const std::vector<NamedTensor>& params) {
  for (const NamedTensor& t : params) {
    if (t.name == "Q_fact") return t;
  }
  for (const NamedTensor& t : params) {
    if (t.name == "Q") return t;
  }
  ADD_FAILURE() << "no item table";
  return params.front();
}

class SimilarItemsApi : public ::testing::TestWithParam<bool> {};

TEST_P(SimilarItemsApi, AreTheKnownItemsOfHighestCosineBestFirst) {
  const api_test::Columns columns = MakeColumns(40, 60, 1500, 3);
  const Dataset data = MakeDataset(columns);
  ModelOptions options = SmallOptions();
  options.model.shared_embeddings = GetParam();
  Result<Model> model = Model::Create(options, data);
  ASSERT_TRUE(model.ok()) << model.status().message();
  FitOptions fit;
  ASSERT_TRUE(model->Fit(data.interactions, fit).ok());

  const std::vector<NamedTensor> params = model->Parameters();
  const NamedTensor& q = ItemTable(params);
  const auto cosine = [&](ItemId a, ItemId b) {
    double dot = 0, na = 0, nb = 0;
    for (int64_t d = 0; d < q.cols; ++d) {
      const double x = q.values[a * q.cols + d], y = q.values[b * q.cols + d];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return dot / std::sqrt(na * nb);
  };
  const std::set<ItemId> known(data.interactions.items.begin(), data.interactions.items.end());
  const ItemId item = *known.begin();

  const Result<std::vector<SimilarItem>> all = model->SimilarItems(item, model->num_items());
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), known.size() - 1);  // every known item but `item`
  for (size_t k = 0; k < all->size(); ++k) {
    const SimilarItem& s = (*all)[k];
    EXPECT_NE(s.item, item);
    EXPECT_TRUE(known.count(s.item));
    EXPECT_NEAR(s.similarity, cosine(item, s.item), 1e-5);
    if (k > 0) {
      const SimilarItem& before = (*all)[k - 1];
      EXPECT_TRUE(before.similarity > s.similarity ||
                  (before.similarity == s.similarity && before.item < s.item));
    }
  }
  const Result<std::vector<SimilarItem>> top = model->SimilarItems(item, 5);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 5u);
  for (size_t k = 0; k < 5; ++k) EXPECT_EQ((*top)[k].item, (*all)[k].item);

  EXPECT_EQ(model->SimilarItems(item, 0).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(model->SimilarItems(model->num_items(), 3).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(model->SimilarItems(-1, 3).status().code(), Status::Code::kInvalidArgument);
}

TEST(KnownItemsApi, AreEachUsersDistinctItemsAscendingAndWhatRecommendExcludes) {
  const api_test::Columns columns = MakeColumns(30, 50, 900, 4);
  const Dataset data = MakeDataset(columns);
  Result<Model> model = Model::Create(SmallOptions(), data);
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::vector<std::set<ItemId>> want(static_cast<size_t>(model->num_users()));
  const Interactions& x = data.interactions;
  for (size_t k = 0; k < x.size(); ++k) want[x.users[k]].insert(x.items[k]);
  for (UserId u = 0; u < model->num_users(); ++u) {
    const Result<std::vector<ItemId>> known = model->KnownItems(u);
    ASSERT_TRUE(known.ok()) << known.status().message();
    EXPECT_EQ(*known, std::vector<ItemId>(want[u].begin(), want[u].end())) << "user row " << u;
    const Result<std::vector<Recommendation>> top = model->Recommend(u, model->num_items());
    ASSERT_TRUE(top.ok());
    for (const Recommendation& r : *top) EXPECT_FALSE(want[u].count(r.item)) << r.item;
  }
  const Result<RatingRange> range = model->KnownRatings();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->min, *std::min_element(x.ratings.begin(), x.ratings.end()));
  EXPECT_EQ(range->max, *std::max_element(x.ratings.begin(), x.ratings.end()));
  EXPECT_EQ(model->KnownItems(-1).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(model->KnownItems(model->num_users()).status().code(),
            Status::Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Tables, SimilarItemsApi, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Shared" : "Separate"; });

}  // namespace
}  // namespace mtrec

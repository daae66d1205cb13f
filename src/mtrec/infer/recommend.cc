#include "mtrec/infer/recommend.h"

#include <algorithm>

#include "mtrec/core/check.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

namespace {

// The top k of `score_all`'s scores among the candidates, each with its
// predicted rating from `predict`.
template <class ScoreAll, class Predict>
std::vector<Recommendation> TopRecommendations(int32_t num_items, UserId user,
                                               std::span<const uint8_t> candidate, int k,
                                               ScoreAll&& score_all, Predict&& predict) {
  MTREC_CHECK(static_cast<int32_t>(candidate.size()) == num_items);
  std::vector<float> scores(num_items);
  score_all(std::span<float>(scores));
  const std::vector<ItemId> top = TopK(scores, candidate, k);
  const std::vector<UserId> users(top.size(), user);
  std::vector<float> ratings(top.size());
  predict(std::span<const UserId>(users), std::span<const ItemId>(top), std::span<float>(ratings));
  std::vector<Recommendation> out;
  for (size_t r = 0; r < top.size(); ++r) out.push_back({top[r], scores[top[r]], ratings[r]});
  return out;
}

}  // namespace

std::vector<Recommendation> Recommend(const Backend& model, UserId user,
                                      std::span<const uint8_t> candidate, int k) {
  return TopRecommendations(
      model.net().config().num_items, user, candidate, k,
      [&](std::span<float> out) { model.ScoreAllItems(user, out); },
      [&](std::span<const UserId> u, std::span<const ItemId> i, std::span<float> out) {
        model.PredictRatings(u, i, out);
      });
}

std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      std::span<const uint8_t> candidate, int k, ThreadPool& pool) {
  return TopRecommendations(
      net.config().num_items, user, candidate, k,
      [&](std::span<float> out) { net.ScoreAllItems(user, out); },
      [&](std::span<const UserId> u, std::span<const ItemId> i, std::span<float> out) {
        net.PredictRatings(u, i, out, pool);
      });
}

Recommendation PredictPair(const Backend& model, UserId user, ItemId item) {
  float rating = 0;
  model.PredictRatings(std::span<const UserId>(&user, 1), std::span<const ItemId>(&item, 1),
                       std::span<float>(&rating, 1));
  return {item, model.net().Score(user, item), rating};
}

RecommendationCandidates::RecommendationCandidates(std::initializer_list<const Interactions*> parts)
    : seen_(UserItemSets::Build(parts)) {
  int32_t num_items = 0;
  for (const Interactions* x : parts) {
    if (x != nullptr) num_items = std::max(num_items, x->num_items);
  }
  occurs_.assign(static_cast<size_t>(num_items), 0);
  for (ItemId i : seen_.items) occurs_[i] = 1;  // every part's items, each user's once
  bool first = true;
  for (const Interactions* x : parts) {
    if (x == nullptr) continue;
    for (float r : x->ratings) {
      min_rating_ = first ? r : std::min(min_rating_, r);
      max_rating_ = first ? r : std::max(max_rating_, r);
      first = false;
    }
  }
}

std::vector<uint8_t> RecommendationCandidates::For(UserId user, bool include_seen) const {
  std::vector<uint8_t> candidate = occurs_;
  if (!include_seen && user >= 0 && user < seen_.num_users()) {
    for (ItemId i : seen_.Of(user)) candidate[i] = 0;
  }
  return candidate;
}

}  // namespace mtrec

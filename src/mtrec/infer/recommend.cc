#include "mtrec/infer/recommend.h"

#include <algorithm>

#include "mtrec/core/check.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

namespace {

// The top k of `score_all`'s scores among the candidates less `excluded`,
// each with its predicted rating from `predict`, in `scratch`'s buffers.
template <class ScoreAll, class Predict>
std::vector<Recommendation> TopRecommendations(int32_t num_items, UserId user,
                                               std::span<const uint8_t> candidate,
                                               std::span<const ItemId> excluded, int k,
                                               RecommendScratch& scratch, ScoreAll&& score_all,
                                               Predict&& predict) {
  MTREC_CHECK(static_cast<int32_t>(candidate.size()) == num_items);
  std::vector<float>& scores = scratch.scores;
  scores.resize(static_cast<size_t>(num_items));
  score_all(std::span<float>(scores));
  std::vector<ItemId>& top = scratch.top;
  TopK(scores, candidate, excluded, k, top);
  scratch.users.assign(top.size(), user);
  scratch.ratings.resize(top.size());
  predict(std::span<const UserId>(scratch.users), std::span<const ItemId>(top),
          std::span<float>(scratch.ratings));
  std::vector<Recommendation> out;
  out.reserve(top.size());
  for (size_t r = 0; r < top.size(); ++r) out.push_back({top[r], scores[top[r]], scratch.ratings[r]});
  return out;
}

}  // namespace

std::vector<Recommendation> Recommend(const Backend& model, UserId user,
                                      std::span<const uint8_t> candidate, int k) {
  RecommendScratch scratch;
  return TopRecommendations(
      model.net().config().num_items, user, candidate, {}, k, scratch,
      [&](std::span<float> out) { model.ScoreAllItems(user, out); },
      [&](std::span<const UserId> u, std::span<const ItemId> i, std::span<float> out) {
        model.PredictRatings(u, i, out);
      });
}

std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      std::span<const uint8_t> candidate, int k, ThreadPool& pool) {
  RecommendScratch scratch;
  return TopRecommendations(
      net.config().num_items, user, candidate, {}, k, scratch,
      [&](std::span<float> out) { net.ScoreAllItems(user, out); },
      [&](std::span<const UserId> u, std::span<const ItemId> i, std::span<float> out) {
        net.PredictRatings(u, i, out, pool);
      });
}

std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      const RecommendationCandidates& known, bool include_seen,
                                      int k, RecommendScratch& scratch) {
  return TopRecommendations(
      net.config().num_items, user, known.occurs(), known.Excluded(user, include_seen), k, scratch,
      [&](std::span<float> out) { net.ScoreAllItems(user, out); },
      [&](std::span<const UserId> u, std::span<const ItemId> i, std::span<float> out) {
        net.PredictRatings(u, i, out, scratch.predict);
      });
}

Recommendation PredictPair(const Backend& model, UserId user, ItemId item) {
  float rating = 0;
  model.PredictRatings(std::span<const UserId>(&user, 1), std::span<const ItemId>(&item, 1),
                       std::span<float>(&rating, 1));
  return {item, model.net().Score(user, item), rating};
}

Recommendation PredictPair(const MultiTaskNet& net, UserId user, ItemId item,
                           RecommendScratch& scratch) {
  float rating = 0;
  net.PredictRatings(std::span<const UserId>(&user, 1), std::span<const ItemId>(&item, 1),
                     std::span<float>(&rating, 1), scratch.predict);
  return {item, net.Score(user, item), rating};
}

RecommendationCandidates::RecommendationCandidates(std::initializer_list<const Interactions*> parts)
    : seen_(UserItemSets::Build(parts)) {
  int32_t num_items = 0;
  for (const Interactions* x : parts) {
    if (x != nullptr) num_items = std::max(num_items, x->num_items);
  }
  occurs_.assign(static_cast<size_t>(num_items), 0);
  for (ItemId i : seen_.items) occurs_[i] = 1;  // every part's items, each user's once
  num_occurring_ = std::count(occurs_.begin(), occurs_.end(), uint8_t{1});
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

std::span<const ItemId> RecommendationCandidates::Excluded(UserId user, bool include_seen) const {
  if (include_seen || user < 0 || user >= seen_.num_users()) return {};
  return seen_.Of(user);
}

std::vector<uint8_t> RecommendationCandidates::For(UserId user, bool include_seen) const {
  std::vector<uint8_t> candidate = occurs_;
  for (ItemId i : Excluded(user, include_seen)) candidate[i] = 0;
  return candidate;
}

}  // namespace mtrec

#include "mtrec/infer/recommend.h"

#include <algorithm>

#include "mtrec/core/check.h"
#include "mtrec/eval/top_k.h"
#include "mtrec/infer/item_prefilter.h"

namespace mtrec {

namespace {

// The k best items that `select` puts in scratch.top (with their scores in
// scratch.scores), each with its predicted rating from `predict`.
template <class Select, class Predict>
std::vector<Recommendation> TopRecommendations(UserId user, RecommendScratch& scratch,
                                               Select&& select, Predict&& predict) {
  select();
  const std::vector<ItemId>& top = scratch.top;
  scratch.users.assign(top.size(), user);
  scratch.ratings.resize(top.size());
  predict(std::span<const UserId>(scratch.users), std::span<const ItemId>(top),
          std::span<float>(scratch.ratings));
  std::vector<Recommendation> out;
  out.reserve(top.size());
  for (size_t r = 0; r < top.size(); ++r) {
    out.push_back({top[r], scratch.scores[top[r]], scratch.ratings[r]});
  }
  return out;
}

// The full pass: every item scored by `score_all`, then TopK.
template <class ScoreAll>
void ScoreAndSelect(int32_t num_items, std::span<const uint8_t> candidate,
                    std::span<const ItemId> excluded, int k, RecommendScratch& scratch,
                    ScoreAll&& score_all) {
  MTREC_CHECK(static_cast<int32_t>(candidate.size()) == num_items);
  scratch.scores.resize(static_cast<size_t>(num_items));
  score_all(std::span<float>(scratch.scores));
  TopK(scratch.scores, candidate, excluded, k, scratch.top);
}

}  // namespace

std::vector<Recommendation> Recommend(const Backend& model, UserId user,
                                      std::span<const uint8_t> candidate, int k) {
  RecommendScratch scratch;
  return TopRecommendations(
      user, scratch,
      [&] {
        ScoreAndSelect(model.net().config().num_items, candidate, {}, k, scratch,
                       [&](std::span<float> out) { model.ScoreAllItems(user, out); });
      },
      [&](std::span<const UserId> u, std::span<const ItemId> i, std::span<float> out) {
        model.PredictRatings(u, i, out);
      });
}

std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      std::span<const uint8_t> candidate, int k, ThreadPool& pool) {
  RecommendScratch scratch;
  return TopRecommendations(
      user, scratch,
      [&] {
        ScoreAndSelect(net.config().num_items, candidate, {}, k, scratch,
                       [&](std::span<float> out) { net.ScoreAllItems(user, out); });
      },
      [&](std::span<const UserId> u, std::span<const ItemId> i, std::span<float> out) {
        net.PredictRatings(u, i, out, pool);
      });
}

std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      const RecommendationCandidates& known, bool include_seen,
                                      int k, RecommendScratch& scratch,
                                      const ItemPrefilter* prefilter) {
  const std::span<const uint8_t> candidate = known.occurs();
  const std::span<const ItemId> excluded = known.Excluded(user, include_seen);
  return TopRecommendations(
      user, scratch,
      [&] {
        if (prefilter != nullptr &&
            prefilter->Select(net, user, candidate, excluded, k, scratch.scores, scratch.bounds,
                              scratch.survivors, scratch.top)) {
          return;
        }
        ScoreAndSelect(net.config().num_items, candidate, excluded, k, scratch,
                       [&](std::span<float> out) { net.ScoreAllItems(user, out); });
      },
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

#include "mtrec/infer/recommend.h"

#include "mtrec/core/check.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      std::span<const uint8_t> candidate, int k, ThreadPool& pool) {
  const int32_t num_items = net.config().num_items;
  MTREC_CHECK(static_cast<int32_t>(candidate.size()) == num_items);
  std::vector<float> scores(num_items);
  net.ScoreAllItems(user, scores);
  const std::vector<ItemId> top = TopK(scores, candidate, k);
  const std::vector<UserId> users(top.size(), user);
  std::vector<float> ratings(top.size());
  net.PredictRatings(users, top, ratings, pool);
  std::vector<Recommendation> out;
  for (size_t r = 0; r < top.size(); ++r) out.push_back({top[r], scores[top[r]], ratings[r]});
  return out;
}

Recommendation PredictPair(const MultiTaskNet& net, UserId user, ItemId item, ThreadPool& pool) {
  float rating = 0;
  net.PredictRatings(std::span<const UserId>(&user, 1), std::span<const ItemId>(&item, 1),
                     std::span<float>(&rating, 1), pool);
  return {item, net.Score(user, item), rating};
}

std::vector<uint8_t> RecommendationCandidates(const Interactions& all, UserId user,
                                              bool include_seen) {
  std::vector<uint8_t> candidate(all.num_items, 0);
  for (ItemId i : all.items) candidate[i] = 1;
  if (!include_seen) {
    for (size_t k = 0; k < all.size(); ++k) {
      if (all.users[k] == user) candidate[all.items[k]] = 0;
    }
  }
  return candidate;
}

}  // namespace mtrec

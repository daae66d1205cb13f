// Top-k recommendations from a trained model: items by factorisation score
// (the ranking head), each with the regression head's predicted rating.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/metrics.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

class ThreadPool;

// The k best items for `user` among those with candidate[i] != 0, best first
// (ties to the lower id). REQUIRES: candidate.size() == num_items.
std::vector<Recommendation> Recommend(const Backend& model, UserId user,
                                      std::span<const uint8_t> candidate, int k);

// The same from a model on the host, e.g. one with a folded-in user
// (fold_in.h): one pass over the item table, bit-identical to the CPU
// backend's. REQUIRES: as above.
std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      std::span<const uint8_t> candidate, int k, ThreadPool& pool);

// Both heads for one (user, item) pair.
Recommendation PredictPair(const Backend& model, UserId user, ItemId item);

class ItemPrefilter;
class RecommendationCandidates;

// What one thread reuses across the calling-thread calls below, so that once
// warm (a first call on a model of this shape) a call allocates only its
// answer. Memory: num_items floats plus k of each.
struct RecommendScratch {
  std::vector<float> scores;
  std::vector<ItemId> top;
  std::vector<UserId> users;
  std::vector<float> ratings;
  std::vector<float> bounds;       // ItemPrefilter::Select's
  std::vector<ItemId> survivors;
  MultiTaskNet::PredictScratch predict;
};

// The k best items for `user` of `known` (its For(user, include_seen), without
// the mask's copy), scored and rated on the calling thread against a model on
// the host: bit-identical to Recommend above on the CPU backend. Calls with
// distinct scratch may run at once on one net. With `prefilter` (built from
// net's current weights) only the items its bounds cannot rule out are scored
// exactly: the same answer (infer/item_prefilter.h). REQUIRES: known covers
// net's items (as Model's candidates do).
std::vector<Recommendation> Recommend(const MultiTaskNet& net, UserId user,
                                      const RecommendationCandidates& known, bool include_seen,
                                      int k, RecommendScratch& scratch,
                                      const ItemPrefilter* prefilter = nullptr);

// Both heads for one pair on the calling thread, as PredictPair.
Recommendation PredictPair(const MultiTaskNet& net, UserId user, ItemId item,
                           RecommendScratch& scratch);

// The items that may be recommended, prepared once per data set so that a list
// of users costs O(items) each, not O(ratings).
class RecommendationCandidates {
 public:
  explicit RecommendationCandidates(const Interactions& all) : RecommendationCandidates({&all}) {}
  // The data as several parts (e.g. training and validation rows; null parts
  // skipped), read as their union.
  explicit RecommendationCandidates(std::initializer_list<const Interactions*> parts);

  // candidate[i] = 1 for every item that occurs in the data (so the phantom row
  // 0 and ids never seen are never recommended), 0 for the items of `user` in
  // it unless include_seen. A user outside the data (e.g. -1) has no items.
  std::vector<uint8_t> For(UserId user, bool include_seen) const;
  // The same as its parts: every occurring item's entry, and the items For
  // clears (ascending; empty with include_seen or for a user outside the data).
  std::span<const uint8_t> occurs() const { return occurs_; }
  std::span<const ItemId> Excluded(UserId user, bool include_seen) const;
  // How many entries of For(user, include_seen) are 1, without building it.
  int64_t Count(UserId user, bool include_seen) const {
    return num_occurring_ - static_cast<int64_t>(Excluded(user, include_seen).size());
  }
  // Whether the user has a row in the data, and whether the item occurs in it.
  bool HasUser(UserId user) const {
    return user >= 0 && user < seen_.num_users() && !seen_.Of(user).empty();
  }
  bool HasItem(ItemId item) const {
    return item >= 0 && item < static_cast<ItemId>(occurs_.size()) && occurs_[item] != 0;
  }
  // The lowest and highest rating in the data (0, 0 for no rows).
  float min_rating() const { return min_rating_; }
  float max_rating() const { return max_rating_; }

 private:
  std::vector<uint8_t> occurs_;
  int64_t num_occurring_ = 0;  // 1s in occurs_; a user's items all occur
  float min_rating_ = 0, max_rating_ = 0;
  UserItemSets seen_;
};

}  // namespace mtrec

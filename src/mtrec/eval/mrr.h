// Mean reciprocal rank, exactly as the original's mrr_score (reference-spec §5):
//
//   for each user u with test items, in ascending id order:
//     pred = -score(u, all items)            (float32)
//     pred[train items of u] = FLT_MAX       (known items ranked last)
//     rank = scipy.stats.rankdata(pred)      (1-based, ties get the average rank)
//     mrr_u = mean over u's distinct test items t of 1 / rank[t]
//   MRR = mean over those users of mrr_u
//
// A user's other test items are not removed: they compete with each other. The
// average rank of a value v is (#values < v) + (#values == v + 1) / 2, which is
// counted without sorting the item list. A NaN score (a diverged model) ranks last.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "mtrec/data/interactions.h"

namespace mtrec {

class ThreadPool;

// Fills out[i] with the factorisation score of (u, i) for every item i.
using ScoreAllItemsFn = std::function<void(UserId u, std::span<float> out)>;

struct MrrResult {
  double mrr = 0;                  // mean over users with test items (0 if none)
  int64_t users = 0;               // how many users were averaged
  std::vector<double> per_user;    // mrr_u for those users, ascending id
};

// The MRR of one user's scores. `scores` is overwritten (negated, masked).
double UserReciprocalRank(std::span<float> scores, std::span<const ItemId> train_items,
                          std::span<const ItemId> test_items);

// REQUIRES: test and train cover the same users (same num_users()).
MrrResult MeanReciprocalRank(const ScoreAllItemsFn& score_all_items, int32_t num_items,
                             const UserItemSets& test, const UserItemSets& train,
                             ThreadPool& pool);

}  // namespace mtrec

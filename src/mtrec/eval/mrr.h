// Mean reciprocal rank, exactly as the original's mrr_score (docs/semantics.md §7):
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
// counted without sorting. A NaN score (a diverged model) ranks last.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "mtrec/data/user_item_sets.h"
#include "mtrec/eval/block_scorer.h"

namespace mtrec {

class ThreadPool;

struct MrrResult {
  double mrr = 0;                // mean over users with test items (0 if none)
  int64_t users = 0;             // how many users were averaged
  std::vector<double> per_user;  // mrr_u for those users, ascending id
};

// The reference implementation for one user, straight from the definition.
// `scores` holds the user's score for every item and is overwritten.
double UserReciprocalRank(std::span<float> scores, std::span<const ItemId> train_items,
                          std::span<const ItemId> test_items);

// The fast path: users in blocks, items in chunks; each block x chunk of scores
// is one GEMM (BlockScorer) and the ranks are counted with SIMD compares
// against the user's test values (cost: test items x items / 8 compares), so
// the score matrix is never materialised.
// Equal to UserReciprocalRank for every user. Parallel over user blocks; the
// result does not depend on the pool size.
// REQUIRES: test and train cover the same users (same num_users()).
MrrResult MeanReciprocalRank(const BlockScorer& scorer, const UserItemSets& test,
                             const UserItemSets& train, ThreadPool& pool);

// The parts of the fast path, for a model whose item rows are split across
// ranks (ShardedCpuBackend): each rank counts its items, the integer counts
// are summed exactly, and mrr_u follows from them with the same bits.
//
// The pred a score is ranked by: -score, NaN last (+inf); a known item's pred
// is kMaskedPred (FLT_MAX).
float ReciprocalRankPred(float score);
inline constexpr float kMaskedPred = std::numeric_limits<float>::max();
// For the b-th user (users[b], a row of `scorer`) and each of its distinct
// preds values[offsets[b] + k] (ascending), ADDS to below[offsets[b] + k] and
// equal[...] how many of the scorer's items have a pred below and equal to
// it, those of masked[b] (the scorer's item indices, ascending) counting as
// kMaskedPred. Parallel over users; the counts do not depend on the pool.
void CountRankShard(const BlockScorer& scorer, std::span<const UserId> users,
                    std::span<const std::vector<ItemId>> masked, std::span<const float> values,
                    std::span<const int64_t> offsets, std::span<int64_t> below,
                    std::span<int64_t> equal, ThreadPool& pool);
// mrr_u from a user's test preds (in test order) and the counts of all items
// below and at each of its distinct preds `values` (ascending): as
// MeanReciprocalRank computes it, bit for bit.
double UserReciprocalRankOfCounts(std::span<const float> test_preds, std::span<const float> values,
                                  std::span<const int64_t> below, std::span<const int64_t> equal);

// The MRR of per-user values (MrrResult::per_user), summed in their order: 0
// for none. Shards of users gathered back in order give the same bits.
double MeanOfUsers(std::span<const double> per_user);

}  // namespace mtrec

// Top-k ranking metrics on full rankings, the standard definitions used by
// recommender libraries. For each user u with test items, rank every item that
// is NOT among u's training items (those are excluded from the candidates, not
// ranked last), by the factorisation score, ties to the lower id. With
// R = u's distinct test items that are candidates and hits = |top-k ∩ R|:
//   precision@k = hits / k          recall@k = hits / |R|
//   hit_rate@k  = [hits > 0]
//   ndcg@k      = sum over ranks r <= k holding an item of R of 1 / log2(r + 1),
//                 divided by the same sum for a perfect ranking (min(k, |R|) hits)
//   auc         = P(score(relevant) > score(non-relevant candidate)), ties 1/2
// Each is averaged over the users with a non-empty R (a macro average, as MRR).
#pragma once

#include <cstdint>
#include <span>

#include "mtrec/data/user_item_sets.h"
#include "mtrec/eval/block_scorer.h"
#include "mtrec/metrics.h"

namespace mtrec {

class ThreadPool;

// Ranks by `scorer` (for a model: FactorizationScorer, whose scores are those
// MRR ranks by). Parallel over users; the result does not depend on the pool.
// REQUIRES: test and train cover the same users; k >= 1.
RankingMetrics EvaluateRanking(const BlockScorer& scorer, const UserItemSets& test,
                               const UserItemSets& train, int k, ThreadPool& pool);

// Mean absolute error of rating predictions (micro average, as MeanSquaredError).
double MeanAbsoluteError(std::span<const float> ratings, std::span<const float> predicted);

}  // namespace mtrec

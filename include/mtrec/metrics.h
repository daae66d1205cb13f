// What training and evaluation report: per-epoch losses and metrics, the
// full evaluation of a model, recommendations. Part of the public API.
#pragma once

#include <cstdint>

#include "mtrec/interactions.h"

namespace mtrec {

// The cut-off of the top-k metrics and of recommendations when none is given.
inline constexpr int kDefaultTopK = 10;

// Means of the per-batch losses over an epoch (a partial last batch counts as
// a full one, as the original's np.mean over the batch list does); as sums
// while the epoch runs.
struct EpochLosses {
  double factorization = 0;
  double regression = 0;
  double joint = 0;
  int64_t batches = 0;
};

// The original's per-epoch evaluation: MRR of the factorisation head (train
// items ranked last, ties at their average rank) and MSE of the regression head.
struct EvalResult {
  double mrr = 0;
  double mse = 0;
  int64_t mrr_users = 0;  // users with at least one test item
  int64_t test_size = 0;  // test interactions
};

// One epoch of training and its evaluation.
struct EpochStats {
  int epoch = 0;  // 1-based
  EpochLosses losses;
  EvalResult eval;  // on the test split (the original's per-epoch evaluation)
  bool has_validation = false;
  EvalResult validation;  // on the validation split, when there is one
  double train_seconds = 0;
  double eval_seconds = 0;
};

// What a progress display sees after every optimiser step.
struct StepProgress {
  int epoch = 0;        // 1-based
  int epochs = 0;       // the run's last epoch
  int64_t batch = 0;    // 1-based, within the epoch
  int64_t batches = 0;  // per epoch
  int64_t samples = 0;  // trained in this epoch so far
  int64_t epoch_samples = 0;
  EpochLosses sums;  // loss sums over the epoch's batches so far
};

// Top-k metrics on full rankings, the user's training items excluded (not
// ranked last): precision, recall, NDCG and hit rate at k, and AUC (ties 1/2),
// macro-averaged over users with test items.
struct RankingMetrics {
  int k = kDefaultTopK;
  double precision = 0;
  double recall = 0;
  double ndcg = 0;
  double hit_rate = 0;
  double auc = 0;
  int64_t users = 0;  // users averaged
};

// Everything `mtrec evaluate` reports.
struct ModelEvaluation {
  EvalResult base;  // mrr, mse (as metrics.jsonl), mrr_users, test_size
  double rmse = 0;
  double mae = 0;
  RankingMetrics ranking;
};

// One recommended (or predicted) item with both heads' outputs.
struct Recommendation {
  ItemId item = 0;
  float score = 0;   // factorisation score p(u, i)
  float rating = 0;  // predicted rating r(u, i)
};

// An item like another (Model::SimilarItems).
struct SimilarItem {
  ItemId item = 0;
  float similarity = 0;  // cosine of the two items' ranking-head embeddings, in [-1, 1]
};

// Fold-in: a user the model has not seen, fitted from a few ratings against
// the frozen model (see Model::RecommendForRatings).
struct FoldInConfig {
  int steps = 300;              // Adam steps
  double learning_rate = 0.05;  // Adam's
  double l2 = 0.01;             // the objective's l2 * |u|^2 (not a weight_decay)
  uint32_t seed = 42;           // the negatives' stream
};

struct RatedItem {
  ItemId item = 0;
  float rating = 0;
};

// The lowest and highest rating of a set of interactions.
struct RatingRange {
  float min = 0;
  float max = 0;
};

}  // namespace mtrec

// The full evaluation of a trained model on its test split (`mtrec evaluate`):
// the original's MRR and MSE, exactly as during training, plus RMSE, MAE and
// the top-k ranking metrics of eval/ranking_metrics.h.
#pragma once

#include "mtrec/backend/backend.h"
#include "mtrec/eval/evaluator.h"
#include "mtrec/eval/ranking_metrics.h"
#include "mtrec/train/experiment_data.h"

namespace mtrec {

struct ModelEvaluation {
  EvalResult base;  // mrr, mse (as metrics.jsonl), mrr_users, test_size
  double rmse = 0;
  double mae = 0;
  RankingMetrics ranking;
};

// Ranks exclude the rows the model was trained on (data.train). REQUIRES: k >= 1.
ModelEvaluation EvaluateModel(const Backend& model, const ExperimentData& data, int k);

}  // namespace mtrec

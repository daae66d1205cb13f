// The full evaluation of a trained model on its test split (`mtrec evaluate`):
// the original's MRR and MSE, exactly as during training, plus RMSE, MAE and
// the top-k ranking metrics of eval/ranking_metrics.h.
#pragma once

#include "mtrec/eval/evaluator.h"
#include "mtrec/eval/ranking_metrics.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/experiment_data.h"

namespace mtrec {

class ThreadPool;

struct ModelEvaluation {
  EvalResult base;  // mrr, mse (as metrics.jsonl), mrr_users, test_size
  double rmse = 0;
  double mae = 0;
  RankingMetrics ranking;
};

// Ranks exclude the rows the model was trained on (data.train). REQUIRES: k >= 1.
ModelEvaluation EvaluateModel(const MultiTaskNet& net, const ExperimentData& data, int k,
                              ThreadPool& pool);

}  // namespace mtrec

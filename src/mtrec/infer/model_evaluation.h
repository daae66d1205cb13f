// The full evaluation of a trained model on its test split (`mtrec evaluate`):
// the original's MRR and MSE, exactly as during training, plus RMSE, MAE and
// the top-k ranking metrics of eval/ranking_metrics.h.
#pragma once

#include "mtrec/backend/backend.h"
#include "mtrec/eval/evaluator.h"
#include "mtrec/eval/ranking_metrics.h"
#include "mtrec/metrics.h"

namespace mtrec {

// The evaluation of `model` on `test`; ranks exclude the rows it was trained on
// (`train`). REQUIRES: k >= 1; both cover the model's tables.
ModelEvaluation EvaluateModel(const Backend& model, const Interactions& train,
                              const Interactions& test, int k);

}  // namespace mtrec

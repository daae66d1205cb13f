// The full evaluation of a trained model on its test split (`mtrec evaluate`):
// the original's MRR and MSE, exactly as during training, plus RMSE, MAE and
// the top-k ranking metrics of eval/ranking_metrics.h.
#pragma once

#include <initializer_list>

#include "mtrec/backend/backend.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/eval/ranking_metrics.h"
#include "mtrec/metrics.h"

namespace mtrec {

// The evaluation of `model` on `test`; ranks exclude the items of the `known`
// rows (null parts skipped): the rows it was trained on and, if any, its
// validation rows (eval/evaluator.h). REQUIRES: k >= 1; all cover the model's
// tables.
ModelEvaluation EvaluateModel(const Backend& model,
                              std::initializer_list<const Interactions*> known,
                              const Interactions& test, int k);

}  // namespace mtrec

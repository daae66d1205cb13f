#include "mtrec/infer/model_evaluation.h"

#include <cmath>
#include <vector>

namespace mtrec {

ModelEvaluation EvaluateModel(const Backend& model, const ExperimentData& data, int k) {
  ModelEvaluation out;
  const Evaluator evaluator(data.train, data.test);
  std::vector<float> predicted;
  out.base = evaluator.Evaluate(model, &predicted);
  out.rmse = std::sqrt(out.base.mse);
  out.mae = MeanAbsoluteError(data.test.ratings, predicted);
  out.ranking = EvaluateRanking(*model.MakeScorer(), evaluator.test_items(),
                                evaluator.train_items(), k, model.host_pool());
  return out;
}

}  // namespace mtrec

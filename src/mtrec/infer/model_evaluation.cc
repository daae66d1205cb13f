#include "mtrec/infer/model_evaluation.h"

#include <cmath>
#include <vector>

namespace mtrec {

ModelEvaluation EvaluateModel(const Backend& model,
                              std::initializer_list<const Interactions*> known,
                              const Interactions& test, int k) {
  ModelEvaluation out;
  const Evaluator evaluator(known, test);
  std::vector<float> predicted;
  out.base = evaluator.Evaluate(model, &predicted);
  out.rmse = std::sqrt(out.base.mse);
  out.mae = MeanAbsoluteError(test.ratings, predicted);
  out.ranking = EvaluateRanking(*model.MakeScorer(), evaluator.test_items(),
                                evaluator.train_items(), k, model.host_pool());
  return out;
}

}  // namespace mtrec

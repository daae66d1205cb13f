#include "mtrec/infer/model_evaluation.h"

#include <cmath>
#include <vector>

#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/factorization_scorer.h"

namespace mtrec {

ModelEvaluation EvaluateModel(const MultiTaskNet& net, const ExperimentData& data, int k,
                              ThreadPool& pool) {
  ModelEvaluation out;
  const Evaluator evaluator(data.train, data.test);
  out.base = evaluator.Evaluate(net, pool);
  out.rmse = std::sqrt(out.base.mse);
  std::vector<float> predicted(data.test.size());
  net.PredictRatings(data.test.users, data.test.items, predicted, pool);
  out.mae = MeanAbsoluteError(data.test.ratings, predicted);
  out.ranking = EvaluateRanking(FactorizationScorer(net), evaluator.test_items(),
                                evaluator.train_items(), k, pool);
  return out;
}

}  // namespace mtrec

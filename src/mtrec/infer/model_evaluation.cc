#include "mtrec/infer/model_evaluation.h"

#include <cmath>
#include <vector>

#include "mtrec/core/thread_pool.h"

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
  out.ranking = EvaluateRanking(
      [&net](UserId u, std::span<float> scores) { net.ScoreAllItems(u, scores); },
      net.config().num_items, evaluator.test_items(), evaluator.train_items(), k, pool);
  return out;
}

}  // namespace mtrec

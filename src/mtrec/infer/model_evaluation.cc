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
  const FactorizationScorer scorer(net);  // one copy of the item factors for all metrics
  std::vector<float> predicted;
  out.base = evaluator.Evaluate(net, scorer, pool, &predicted);
  out.rmse = std::sqrt(out.base.mse);
  out.mae = MeanAbsoluteError(data.test.ratings, predicted);
  out.ranking = EvaluateRanking(scorer, evaluator.test_items(), evaluator.train_items(), k, pool);
  return out;
}

}  // namespace mtrec

#include "mtrec/eval/evaluator.h"

#include <vector>

#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/factorization_scorer.h"
#include "mtrec/eval/mrr.h"
#include "mtrec/eval/mse.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

Evaluator::Evaluator(const Interactions& train, const Interactions& test)
    : train_items_(UserItemSets::Build(train)),
      test_items_(UserItemSets::Build(test)),
      test_(test) {}

EvalResult Evaluator::Evaluate(const MultiTaskNet& net, ThreadPool& pool) const {
  std::vector<float> predicted;
  return Evaluate(net, FactorizationScorer(net), pool, &predicted);
}

EvalResult Evaluator::Evaluate(const MultiTaskNet& net, const BlockScorer& scorer, ThreadPool& pool,
                               std::vector<float>* predicted) const {
  EvalResult result;
  const MrrResult mrr = MeanReciprocalRank(scorer, test_items_, train_items_, pool);
  result.mrr = mrr.mrr;
  result.mrr_users = mrr.users;
  predicted->resize(test_.size());
  net.PredictRatings(test_.users, test_.items, *predicted, pool);
  result.mse = MeanSquaredError(test_.ratings, *predicted);
  result.test_size = static_cast<int64_t>(test_.size());
  return result;
}

}  // namespace mtrec

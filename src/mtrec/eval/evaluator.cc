#include "mtrec/eval/evaluator.h"

#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/eval/mse.h"

namespace mtrec {

Evaluator::Evaluator(const Interactions& train, const Interactions& test)
    : train_items_(UserItemSets::Build(train)),
      test_items_(UserItemSets::Build(test)),
      test_(test) {}

EvalResult Evaluator::Evaluate(const Backend& backend) const {
  std::vector<float> predicted;
  return Evaluate(backend, &predicted);
}

EvalResult Evaluator::Evaluate(const Backend& backend, std::vector<float>* predicted) const {
  EvalResult result;
  const MrrResult mrr = backend.MeanReciprocalRank(test_items_, train_items_);
  result.mrr = mrr.mrr;
  result.mrr_users = mrr.users;
  predicted->resize(test_.size());
  backend.PredictRatings(test_.users, test_.items, *predicted);
  result.mse = MeanSquaredError(test_.ratings, *predicted);
  result.test_size = static_cast<int64_t>(test_.size());
  return result;
}

}  // namespace mtrec

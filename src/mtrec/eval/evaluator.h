// Evaluator: the original's per-epoch evaluation of a model on a test set: MRR
// of the factorisation head (train items ranked last) and MSE of the regression
// head, both computed by the model's backend. Builds the per-user item sets once.
#pragma once

#include <cstdint>
#include <vector>

#include "mtrec/data/user_item_sets.h"
#include "mtrec/metrics.h"

namespace mtrec {

class Backend;

class Evaluator {
 public:
  // Copies what it needs; train and test need not outlive it.
  Evaluator(const Interactions& train, const Interactions& test);

  EvalResult Evaluate(const Backend& backend) const;
  // The same, leaving the regression head's test predictions in *predicted,
  // for callers that go on to compute more metrics from them.
  EvalResult Evaluate(const Backend& backend, std::vector<float>* predicted) const;

  const UserItemSets& train_items() const { return train_items_; }
  const UserItemSets& test_items() const { return test_items_; }

 private:
  UserItemSets train_items_;
  UserItemSets test_items_;
  Interactions test_;
};

}  // namespace mtrec

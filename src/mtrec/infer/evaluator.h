// Evaluator: the original's per-epoch evaluation of a model on a test set: MRR
// of the factorisation head (the user's known items ranked last) and MSE of the
// regression head, both computed by the model's backend. Builds the per-user
// item sets once.
//
// Known items: the rows the model was fitted on, and, when validation rows were
// carved out of the training split, those too: in the original's definition a
// test ranking puts last every item of the user's training split, and the
// validation rows are part of it (interactions the system knows, not
// candidates to rank against the test item). Validation rankings know only the
// fitted rows (the test rows are hidden from everything before the test).
//
// Data parallel (a Communicator of several ranks): each rank ranks a
// contiguous share of the test users, and the per-user values are gathered
// and averaged in user order, so the MRR is bit-identical to one process's.
// The rating predictions (cheap) are computed by every rank. A backend whose
// tables are sharded (Backend::tables_sharded) splits the evaluation by items
// instead: every rank passes it every test user.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "mtrec/data/user_item_sets.h"
#include "mtrec/metrics.h"

namespace mtrec {

class Backend;
class Communicator;

class Evaluator {
 public:
  // Copies what it needs; train and test need not outlive it. With `comm`,
  // Evaluate is a collective of its ranks (comm must outlive the Evaluator).
  Evaluator(const Interactions& train, const Interactions& test, Communicator* comm = nullptr)
      : Evaluator({&train}, test, comm) {}
  // The same with the items of every part of `known` ranked last (null parts
  // skipped): {&train, &validation} for a test split.
  Evaluator(std::initializer_list<const Interactions*> known, const Interactions& test,
            Communicator* comm = nullptr);

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
  // Several ranks: this rank's share of the test users' items, and how many
  // test users each rank ranks.
  Communicator* comm_ = nullptr;
  UserItemSets test_share_;
  std::vector<int> users_of_rank_;
};

}  // namespace mtrec

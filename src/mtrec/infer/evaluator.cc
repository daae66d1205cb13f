#include "mtrec/infer/evaluator.h"

#include <algorithm>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/dist/communicator.h"
#include "mtrec/eval/mse.h"

namespace mtrec {

Evaluator::Evaluator(std::initializer_list<const Interactions*> known, const Interactions& test,
                     Communicator* comm)
    : train_items_(UserItemSets::Build(known)),
      test_items_(UserItemSets::Build(test)),
      test_(test) {
  if (comm == nullptr || comm->size() < 2) return;
  comm_ = comm;
  std::vector<UserId> users;  // the test users, ascending (the MRR's order)
  for (UserId u = 0; u < test_items_.num_users(); ++u) {
    if (!test_items_.Of(u).empty()) users.push_back(u);
  }
  for (int r = 0; r < comm->size(); ++r) {
    const RankRange range = RangeOfRank(static_cast<int64_t>(users.size()), r, comm->size());
    users_of_rank_.push_back(static_cast<int>(range.end - range.begin));
  }
  const RankRange mine =
      RangeOfRank(static_cast<int64_t>(users.size()), comm->rank(), comm->size());
  std::vector<int64_t> rows;
  if (mine.end > mine.begin) {
    const UserId first = users[mine.begin], last = users[mine.end - 1];
    for (size_t k = 0; k < test.size(); ++k) {
      if (test.users[k] >= first && test.users[k] <= last) rows.push_back(static_cast<int64_t>(k));
    }
  }
  test_share_ = UserItemSets::Build(test.Select(rows));
}

EvalResult Evaluator::Evaluate(const Backend& backend) const {
  std::vector<float> predicted;
  return Evaluate(backend, &predicted);
}

EvalResult Evaluator::Evaluate(const Backend& backend, std::vector<float>* predicted) const {
  EvalResult result;
  if (comm_ == nullptr || backend.tables_sharded()) {  // split by items, or not at all
    const MrrResult mrr = backend.MeanReciprocalRank(test_items_, train_items_);
    result.mrr = mrr.mrr;
    result.mrr_users = mrr.users;
  } else {
    // Every rank's per-user values in user order, then eval/mrr.cc's mean.
    const MrrResult mine = backend.MeanReciprocalRank(test_share_, train_items_);
    std::vector<int> offsets;
    int total = 0;
    for (int n : users_of_rank_) {
      offsets.push_back(total);
      total += n;
    }
    std::vector<double> per_user(static_cast<size_t>(total));
    std::copy(mine.per_user.begin(), mine.per_user.end(),
              per_user.begin() + offsets[comm_->rank()]);
    comm_->AllGatherInPlace(std::span<double>(per_user), users_of_rank_, offsets);
    result.mrr_users = total;
    result.mrr = MeanOfUsers(per_user);
  }
  predicted->resize(test_.size());
  backend.PredictRatings(test_.users, test_.items, *predicted);
  result.mse = MeanSquaredError(test_.ratings, *predicted);
  result.test_size = static_cast<int64_t>(test_.size());
  return result;
}

}  // namespace mtrec

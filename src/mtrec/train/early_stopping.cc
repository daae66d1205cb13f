#include "mtrec/train/early_stopping.h"

#include <algorithm>
#include <string>
#include <utility>

#include "mtrec/core/check.h"

namespace mtrec {

namespace {

// CopyHead into `best`, which becomes a full copy of `params` first if it is
// not one yet.
void KeepHead(const MultiTaskNet& net, bool ranking, std::span<const float> params,
              std::vector<float>& best) {
  if (best.size() != params.size()) best.assign(params.begin(), params.end());
  CopyHead(net, ranking, params, best);
}

TrackerState StateOf(const BestTracker& t) {
  return {t.best_epoch(), t.best_value(), t.epochs_since_best()};
}

}  // namespace

void CopyHead(const MultiTaskNet& net, bool ranking, std::span<const float> params,
              std::span<float> to) {
  MTREC_CHECK(params.size() == to.size() && params.size() == net.params().size());
  const MultiTaskNet::Roles& r = net.roles();
  std::vector<std::pair<int64_t, int64_t>> ranges;  // the ranking head's, in buffer order
  for (int block : {r.u_fact, r.q_fact, r.item_bias, r.user_bias}) {
    if (block < 0) continue;
    const ParamBlock& b = net.layout().block(block);
    ranges.emplace_back(b.offset, b.offset + b.size());
  }
  std::sort(ranges.begin(), ranges.end());
  const auto copy = [&](int64_t begin, int64_t end) {
    std::copy(params.begin() + begin, params.begin() + end, to.begin() + begin);
  };
  int64_t at = 0;  // the end of the last ranking range
  for (const auto& [begin, end] : ranges) {
    ranking ? copy(begin, end) : copy(at, begin);
    at = end;
  }
  if (!ranking) copy(at, static_cast<int64_t>(params.size()));
}

double SelectionValue(const EpochStats& stats, Metric metric) {
  const EvalResult& e = stats.has_validation ? stats.validation : stats.eval;
  return metric == Metric::kMrr ? e.mrr : e.mse;
}

EarlyStopping::EarlyStopping(const EarlyStoppingConfig& config)
    : patience_(config.patience),
      ranking_(config.metric),
      rating_(config.per_head ? Metric::kMse : Metric::kNone) {}

void EarlyStopping::Update(const EpochStats& stats, const MultiTaskNet& net) {
  if (!enabled()) return;
  const int epoch = stats.epoch;
  if (rating_.enabled()) {  // per head: each head's parameters by its metric
    if (ranking_.Update(epoch, SelectionValue(stats, Metric::kMrr))) {
      KeepHead(net, /*ranking=*/true, net.params(), best_params_);
    }
    if (rating_.Update(epoch, SelectionValue(stats, Metric::kMse))) {
      KeepHead(net, /*ranking=*/false, net.params(), best_params_);
    }
  } else if (ranking_.Update(epoch, SelectionValue(stats, ranking_.metric()))) {
    best_params_.assign(net.params().begin(), net.params().end());
  }
}

bool EarlyStopping::ShouldStop() const {
  return enabled() && ranking_.epochs_since_best() >= patience_ &&
         (!rating_.enabled() || rating_.epochs_since_best() >= patience_);
}

bool EarlyStopping::RestoreBest(Backend& backend) const {
  if (!enabled() || ranking_.best_epoch() == 0 || best_params_.empty()) return false;
  backend.WriteHeld([&](MultiTaskNet& net) {
    std::copy(best_params_.begin(), best_params_.end(), net.params().begin());
  });
  return true;
}

TrackerState EarlyStopping::ranking_state() const { return StateOf(ranking_); }
TrackerState EarlyStopping::rating_state() const { return StateOf(rating_); }

void EarlyStopping::Restore(const TrackerState& ranking, const TrackerState& rating,
                            std::vector<float> best_params) {
  ranking_.Restore(ranking.epoch, ranking.value, ranking.epochs_since_best);
  if (rating_.enabled()) rating_.Restore(rating.epoch, rating.value, rating.epochs_since_best);
  best_params_ = std::move(best_params);
}

}  // namespace mtrec

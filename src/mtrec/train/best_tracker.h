// Metrics a run can be steered by (early stopping, keeping the best model), and
// BestTracker, which follows one of them over epochs.
#pragma once

#include <string>
#include <string_view>

#include "mtrec/config.h"
#include "mtrec/config_names.h"  // ParseMetric, MetricName
#include "mtrec/status.h"

namespace mtrec {

// A tracker as checkpoints store it.
struct TrackerState {
  int epoch = 0;
  double value = 0;
  int epochs_since_best = 0;
};

class BestTracker {
 public:
  BestTracker() = default;
  explicit BestTracker(Metric metric) : metric_(metric) {}

  // Records epoch's value; true when it is strictly better than every earlier one.
  bool Update(int epoch, double value) {
    const bool better =
        best_epoch_ == 0 || (metric_ == Metric::kMrr ? value > best_value_ : value < best_value_);
    if (better) {
      best_epoch_ = epoch;
      best_value_ = value;
      epochs_since_best_ = 0;
    } else {
      ++epochs_since_best_;
    }
    return better;
  }

  Metric metric() const { return metric_; }
  bool enabled() const { return metric_ != Metric::kNone; }
  int best_epoch() const { return best_epoch_; }  // 0 before the first Update
  double best_value() const { return best_value_; }
  int epochs_since_best() const { return epochs_since_best_; }

  // For checkpoints.
  void Restore(int best_epoch, double best_value, int epochs_since_best) {
    best_epoch_ = best_epoch;
    best_value_ = best_value;
    epochs_since_best_ = epochs_since_best;
  }

 private:
  Metric metric_ = Metric::kNone;
  int best_epoch_ = 0;
  double best_value_ = 0;
  int epochs_since_best_ = 0;
};

}  // namespace mtrec

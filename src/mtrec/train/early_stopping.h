// EarlyStopping: follows a run's validation metric epoch by epoch, keeps the
// weights of its best epoch, and says when no more improvement is expected.
//
// With per_head (separate embeddings), each head is followed by its own
// metric: the ranking head's tables and biases are kept from the epoch of best
// MRR, every other parameter (the rating head's tables, biases and MLP) from
// the epoch of best MSE, and training stops once neither has improved for
// `patience` epochs. Shared by Model::Fit (FitOptions::early_stopping) and the
// run policy (run/experiment.h), which also saves its state in checkpoints.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/config.h"
#include "mtrec/model.h"
#include "mtrec/train/best_tracker.h"
#include "mtrec/train/checkpoint.h"

namespace mtrec {

class EarlyStopping {
 public:
  EarlyStopping() = default;  // off
  // REQUIRES: config.Validate(the model's configuration) is ok.
  explicit EarlyStopping(const EarlyStoppingConfig& config);

  bool enabled() const { return ranking_.enabled(); }

  // Records the epoch's metric(s), on the validation split when `stats` has
  // one, else on the test split, and copies the parameters of the head(s) that
  // improved from `held` (Backend::held(): with tables sharded across ranks,
  // this rank's rows and the MLP). No-op when off.
  void Update(const EpochStats& stats, const MultiTaskNet& held);

  // True once every followed metric has gone `patience` epochs without improving.
  bool ShouldStop() const;

  // Writes the kept weights into `backend`'s held parameters
  // (Backend::WriteHeld); false (nothing written) when off or before the
  // first Update.
  bool RestoreBest(Backend& backend) const;

  // The epoch whose weights are kept: of the single metric, or per head the
  // ranking head's (0: none yet); and per head the rating head's (else 0).
  int best_epoch() const { return ranking_.best_epoch(); }
  int best_rating_epoch() const { return rating_.best_epoch(); }

  // For checkpoints: the trackers and the kept weights (laid out as
  // Backend::held(), which a checkpoint streams: Backend::StreamParams), and
  // their restoration.
  TrackerState ranking_state() const;
  TrackerState rating_state() const;
  const std::vector<float>& best_params() const { return best_params_; }
  void Restore(const TrackerState& ranking, const TrackerState& rating,
               std::vector<float> best_params);

 private:
  int patience_ = 0;
  BestTracker ranking_;  // the single metric, or per head the ranking head's MRR
  BestTracker rating_;   // per head: the rating head's MSE; else off
  std::vector<float> best_params_;
};

// Copies the ranking head's own parameters (its tables and biases) or, with
// ranking false, all the others (with separate tables: the rating head's)
// from `params` to `to`, both laid out as `net`'s flat buffer.
void CopyHead(const MultiTaskNet& net, bool ranking, std::span<const float> params,
              std::span<float> to);

// The epoch's value of `metric` on the validation split, else on the test split.
double SelectionValue(const EpochStats& stats, Metric metric);

}  // namespace mtrec

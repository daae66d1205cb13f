// What a training run reports while it runs (run/experiment.h drives it):
// its facts at the start, every epoch, every step and its end, to observers
// such as the console table, the run folder and TensorBoard. A light header:
// observers need nothing of the trainer's internals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/metrics.h"
#include "mtrec/status.h"

namespace mtrec {

// One value of EarlyStoppingConfig::rating_l2_grid, tried on validation
// before the run: the rating head trained alone with that rating_l2.
struct RatingL2Trial {
  double rating_l2 = 0;
  double val_mse = 0;  // its best validation MSE (infinite: the trial diverged)
  int best_epoch = 0;  // the epoch of that MSE
  int epochs = 0;      // the epochs the trial ran
};

// Facts about the data and the split, for reports.
struct RunInfo {
  std::string dataset_path;
  bool ids_remapped = false;  // dense ids with a map back, else the file's raw ids
  int64_t interactions = 0;
  int32_t num_users = 0;
  int32_t num_items = 0;
  int32_t users_occurring = 0;  // table rows whose id occurs in the data
  int32_t items_occurring = 0;
  int64_t train_size = 0;  // rows trained on (validation rows excluded)
  int64_t validation_size = 0;
  int64_t test_size = 0;
  int64_t test_users = 0;  // users with at least one test item (the MRR average)
  // A predefined split: its files; and the users and items of test rows that
  // no training row has (never trained: their rows keep the initialisation).
  Dataset::SplitFiles split_files;
  int64_t untrained_test_users = 0;
  int64_t untrained_test_items = 0;
  int64_t parameters = 0;
  int threads = 0;
  int ranks = 1;  // processes training together (data parallel; 1: a plain run)
  // A resumed run: the epochs recorded in the checkpoint (empty for a new run),
  // and the step the run resumes at.
  std::vector<EpochStats> history;
  int64_t resumed_at_step = 0;
  // rating_l2 chosen on validation (EarlyStoppingConfig::rating_l2_grid): each
  // value's trial, in the grid's order; the run's config holds the choice.
  // Empty: no choice was made (no grid, or a resumed run).
  std::vector<RatingL2Trial> rating_l2_trials;
};

enum class StopReason { kCompleted, kEarlyStopped, kInterrupted };

struct RunSummary {
  RunInfo info;
  std::vector<EpochStats> epochs;  // the whole run, a resumed run's earlier epochs included
  StopReason stop_reason = StopReason::kCompleted;
  int best_epoch = 0;  // with early stopping: the epoch whose weights the model has
  // With per-head early stopping: best_epoch is the ranking head's, and this
  // the epoch whose rating head the model has (0: not per head).
  int best_rating_epoch = 0;
  std::string checkpoint_path;       // written at the end (empty: none)
  std::string best_checkpoint_path;  // --save_best's file (empty: none)
  int64_t steps = 0;
  // --refit: the rows and epochs of the refit (refit_epochs 0: none ran) and
  // the test figures of its model, which is then the run's result; when a
  // stop request or max_steps ended the refit (or left it no step), the run's
  // model is the one chosen above, saved as such.
  int64_t refit_rows = 0;
  int refit_epochs = 0;
  int64_t refit_steps = 0;  // the refit's optimizer steps (not in `steps`)
  bool refit_interrupted = false;
  EvalResult refit_eval;
};

// Whether a stop request (or max_steps) ended the run or its refit: the CLI's
// exit status 130.
inline bool StoppedOnRequest(const RunSummary& s) {
  return s.stop_reason == StopReason::kInterrupted || s.refit_interrupted;
}

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  // A non-OK Status from an observer stops the run with that error.
  virtual Status OnStart(const ExperimentConfig& config, const RunInfo& info) = 0;
  virtual Status OnEpoch(const EpochStats& stats) = 0;
  // After every optimiser step; must be cheap (it runs between steps).
  virtual void OnStep(const StepProgress& /*progress*/) {}
  // Once, when the run ends without an error.
  virtual Status OnEnd(const RunSummary& /*summary*/) { return Status::Ok(); }
};

}  // namespace mtrec

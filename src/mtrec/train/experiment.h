// An experiment: the original's main(): load the data set, split it, build and
// initialise the model, then train for N epochs, evaluating after every epoch.
// Progress and results go to TrainingObservers; the library prints nothing.
//
// Beyond the original: an optional validation split carved from the training
// rows (early stopping, --save_best), checkpoints (train/checkpoint.h), resuming
// from one, and stopping on request after the step in progress.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "mtrec/core/result.h"
#include "mtrec/data/dataset.h"
#include "mtrec/eval/evaluator.h"
#include "mtrec/model/model_config.h"
#include "mtrec/train/best_tracker.h"
#include "mtrec/train/train_config.h"
#include "mtrec/train/trainer.h"

namespace mtrec {

struct EarlyStoppingConfig {
  Metric metric = Metric::kNone;  // measured on the validation split; kNone: off
  int patience = 10;              // epochs without improvement before stopping
};

struct ExperimentConfig {
  DataConfig data;
  double test_fraction = 0.05;
  // Fraction of the TRAINING rows held out for validation (0: none), carved with
  // the same split procedure and seed kValidationSplitSeed.
  double validation_fraction = 0;
  int epochs = 1;
  ModelConfig model;  // num_users/num_items are filled in from the data
  TrainConfig train;
  static constexpr int kMaxThreads = 1024;
  int threads = 0;           // 0: every hardware thread; else 1..kMaxThreads
  std::string init_weights;  // optional: a PyTorch dump to start from (io/weights_dir.h)
  // Stops when the validation metric has not improved for `patience` epochs, and
  // in any case ends the run with the weights of the best validation epoch.
  EarlyStoppingConfig early_stopping;

  // Checks every field; messages name the CLI flag. (Data-dependent checks
  // happen in RunExperiment.)
  Status Validate() const;
};

struct EpochStats {
  int epoch = 0;  // 1-based
  EpochLosses losses;
  EvalResult eval;  // on the test split (the original's per-epoch evaluation)
  bool has_validation = false;
  EvalResult validation;  // on the validation split, when there is one
  double train_seconds = 0;
  double eval_seconds = 0;
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
  int64_t parameters = 0;
  int threads = 0;
  // A resumed run: the epochs recorded in the checkpoint (empty for a new run),
  // and the step the run resumes at.
  std::vector<EpochStats> history;
  int64_t resumed_at_step = 0;
};

// What a progress display sees after every optimiser step.
struct StepProgress {
  int epoch = 0;        // 1-based
  int epochs = 0;       // the run's last epoch
  int64_t batch = 0;    // 1-based, within the epoch
  int64_t batches = 0;  // per epoch
  int64_t samples = 0;  // trained in this epoch so far
  int64_t epoch_samples = 0;
  EpochLosses sums;  // loss sums over the epoch's batches so far
};

enum class StopReason { kCompleted, kEarlyStopped, kInterrupted };

struct RunSummary {
  RunInfo info;
  std::vector<EpochStats> epochs;  // the whole run, a resumed run's earlier epochs included
  StopReason stop_reason = StopReason::kCompleted;
  int best_epoch = 0;                // with early stopping: the epoch whose weights the model has
  std::string checkpoint_path;       // written at the end (empty: none)
  std::string best_checkpoint_path;  // --save_best's file (empty: none)
  int64_t steps = 0;
};

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

struct TrainingCheckpoint;

// How a run is driven; none of this changes its results.
struct RunOptions {
  std::string save_path;             // empty: no checkpoint
  int save_every = 0;                // also save every N epochs (0: at the end only)
  Metric save_best = Metric::kNone;  // also keep BestCheckpointPath(save_path) at the best epoch
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop after the current step
  int64_t max_steps = 0;  // stop after this many optimiser steps in all (0: no limit)
  const TrainingCheckpoint* resume = nullptr;  // continue this run (its config must be `config`)
  std::string logdir;                          // recorded in checkpoints
  std::string run_id;                          // recorded in checkpoints (io/output_claim.h)
};

// <stem>.best<ext> beside `path` (model.mtrec -> model.best.mtrec).
std::string BestCheckpointPath(const std::string& path);

// Runs the whole experiment. Errors (bad data, a bad config) come back as a
// Status; nothing is printed. A stop request or max_steps ends the run early
// with stop_reason kInterrupted (and a checkpoint when save_path is set).
Result<RunSummary> RunExperiment(const ExperimentConfig& config, const RunOptions& options,
                                 const std::vector<TrainingObserver*>& observers);

inline Result<RunSummary> RunExperiment(const ExperimentConfig& config,
                                        const std::vector<TrainingObserver*>& observers) {
  return RunExperiment(config, RunOptions{}, observers);
}

}  // namespace mtrec

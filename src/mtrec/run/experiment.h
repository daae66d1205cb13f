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

#include "mtrec/config.h"
#include "mtrec/dataset.h"
#include "mtrec/metrics.h"
#include "mtrec/run/run_observer.h"
#include "mtrec/status.h"
#include "mtrec/train/best_tracker.h"

namespace mtrec {

class Communicator;
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
  std::string run_id;                          // recorded in checkpoints (report/output_claim.h)
  std::string backend = "cpu";  // where the model runs (backend_registry.h); not recorded
  // Data parallel: the ranks that run this experiment together, each with the
  // same config and data (checked at start: a rank that differs is named in
  // the error every rank returns); the results are bit-identical to one
  // process. Only the caller's observers and a rank with `writes` write
  // anything, so a caller gives them to one rank only. Null: this process alone.
  Communicator* comm = nullptr;
  // False on the ranks other than the one that writes: they get the same
  // save_path and checkpoint flags, write nothing, and take part in the
  // checkpoints of tables sharded across the ranks (each sends its rows).
  bool writes = true;
};

// <stem>.best<ext> beside `path` (model.mtrec -> model.best.mtrec).
std::string BestCheckpointPath(const std::string& path);

// Runs the whole experiment. Errors (bad data, a bad config) come back as a
// Status; nothing is printed. A stop request or max_steps ends the run early
// with stop_reason kInterrupted (and a checkpoint when save_path is set).
// With config.early_stopping.rating_l2_grid (a new run), rating_l2 is first
// chosen on validation (run/rating_l2_choice.h; a stop request then ends it
// with Cancelled): the observers, checkpoints and result are those of the run
// with the chosen rating_l2 and no grid, and summary.info.rating_l2_trials
// says how it was chosen.
Result<RunSummary> RunExperiment(const ExperimentConfig& config, const RunOptions& options,
                                 const std::vector<TrainingObserver*>& observers);

inline Result<RunSummary> RunExperiment(const ExperimentConfig& config,
                                        const std::vector<TrainingObserver*>& observers) {
  return RunExperiment(config, RunOptions{}, observers);
}

}  // namespace mtrec

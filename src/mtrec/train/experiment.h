// An experiment: the original's main(): load the data set, split it, build and
// initialise the model, then train for N epochs, evaluating after every epoch.
// Progress and results go to TrainingObservers; the library prints nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mtrec/core/result.h"
#include "mtrec/data/dataset.h"
#include "mtrec/eval/evaluator.h"
#include "mtrec/model/model_config.h"
#include "mtrec/train/train_config.h"
#include "mtrec/train/trainer.h"

namespace mtrec {

struct ExperimentConfig {
  DataConfig data;
  double test_fraction = 0.05;
  int epochs = 1;
  ModelConfig model;  // num_users/num_items are filled in from the data
  TrainConfig train;
  int threads = 0;           // 0: every hardware thread
  std::string init_weights;  // optional: a PyTorch dump to start from (io/weights_dir.h)

  // Checks every field; messages name the CLI flag. (Data-dependent checks
  // happen in RunExperiment.)
  Status Validate() const;
};

// Facts about the data and the split, for reports.
struct RunInfo {
  std::string dataset_path;
  bool ids_remapped = false;  // dense ids with a map back, else the file's raw ids
  int64_t interactions = 0;
  int32_t num_users = 0;
  int32_t num_items = 0;
  int64_t train_size = 0;
  int64_t test_size = 0;
  int64_t test_users = 0;  // users with at least one test item (the MRR average)
  int64_t parameters = 0;
  int threads = 0;
};

struct EpochStats {
  int epoch = 0;  // 1-based
  EpochLosses losses;
  EvalResult eval;
  double train_seconds = 0;
  double eval_seconds = 0;
};

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  // A non-OK Status from an observer stops the run with that error.
  virtual Status OnStart(const ExperimentConfig& config, const RunInfo& info) = 0;
  virtual Status OnEpoch(const EpochStats& stats) = 0;
};

struct RunSummary {
  RunInfo info;
  std::vector<EpochStats> epochs;
};

// Runs the whole experiment. Errors (bad data, a bad config) come back as a
// Status; nothing is printed.
Result<RunSummary> RunExperiment(const ExperimentConfig& config,
                                 const std::vector<TrainingObserver*>& observers);

}  // namespace mtrec

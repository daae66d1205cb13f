// RunDirectory: the files a run leaves in its --logdir.
//
//   config.json    {"mtrec_version", "config": the resolved configuration in
//                  train/config_json.h's form (the model's table sizes from
//                  the data), "run": facts of this run (threads, parameters,
//                  data_path, ids_remapped, interactions, train_size,
//                  validation_size, test_size, test_users)}
//   metrics.jsonl  one JSON object per epoch: epoch, factorization_loss,
//                  regression_loss, joint_loss, mrr, mse, mrr_users,
//                  train_seconds, eval_seconds (+ val_mrr, val_mse with a
//                  validation split); a resumed run starts with the
//                  checkpoint's epochs
//   refit.json     with --refit, once it is done: {"rows", "epochs",
//                  "ranking_epochs", "rating_epochs" (0: not per head),
//                  "steps", "mrr", "mse"} (the refitted model's test figures),
//                  or {"interrupted": true}
//
// Each file is rewritten whole through a temporary file and a rename after
// every change, so a reader never sees a half-written line.
#pragma once

#include <filesystem>
#include <string>

#include "mtrec/run/run_observer.h"

namespace mtrec {

// The JSON text of config.json.
std::string ConfigJson(const ExperimentConfig& config, const RunInfo& info);
// One metrics.jsonl line (without the newline).
std::string EpochJson(const EpochStats& stats);

class RunDirectory final : public TrainingObserver {
 public:
  // The folder is created on OnStart.
  explicit RunDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Status OnStart(const ExperimentConfig& config, const RunInfo& info) override;
  Status OnEpoch(const EpochStats& stats) override;
  Status OnEnd(const RunSummary& summary) override;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  const std::filesystem::path dir_;
  std::string metrics_;  // every line so far
};

}  // namespace mtrec

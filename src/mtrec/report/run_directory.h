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
// every change, so a reader never sees a half-written line. The folder is
// opened once, on OnStart, and every file is written relative to it
// (io/atomic_file.h: never through a link, never onto anything but a regular
// file). The names are report/run_files.h's.
#pragma once

#include <filesystem>
#include <string>

#include "mtrec/io/file_entry.h"
#include "mtrec/run/run_observer.h"

namespace mtrec {

// The JSON text of config.json.
std::string ConfigJson(const ExperimentConfig& config, const RunInfo& info);
// One metrics.jsonl line (without the newline).
std::string EpochJson(const EpochStats& stats);

class RunDirectory final : public TrainingObserver {
 public:
  // The folder is created (with its parents) and opened on OnStart.
  explicit RunDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // The folder `dir` already open as `folder` (a claim's: report/output_claim.h).
  RunDirectory(std::filesystem::path dir, const UniqueFd& folder)
      : dir_(std::move(dir)), folder_(folder.Duplicate()) {}

  Status OnStart(const ExperimentConfig& config, const RunInfo& info) override;
  Status OnEpoch(const EpochStats& stats) override;
  Status OnEnd(const RunSummary& summary) override;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  Status Write(std::string_view name, std::string_view content) const;

  const std::filesystem::path dir_;
  UniqueFd folder_;
  std::string metrics_;  // every line so far
};

}  // namespace mtrec

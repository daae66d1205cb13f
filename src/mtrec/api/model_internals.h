// The inside of a Model (include/mtrec/model.h), for the library's own pieces
// that drive one: the run policy (train/experiment.h) saves checkpoints with
// the run's facts and restores a run from one. Not part of the public API.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/infer/recommend.h"
#include "mtrec/model.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/train/trainer.h"

namespace mtrec {

struct Model::Impl {
  ModelOptions options;
  // Data parallel: the ranks that train this model together, bit-identical to
  // one process (dist/communicator.h); null: this process alone.
  Communicator* comm = nullptr;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Trainer> trainer;  // the stream and the optimizer's state live on
  std::vector<EpochStats> history;
  IdMap users;
  IdMap items;
  // The known interactions' items (model.h), for recommendations. A loaded
  // model builds them on first need from its recorded data set, so they are
  // set under data_mutex (Fit and SetKnownInteractions run alone).
  mutable std::optional<RecommendationCandidates> candidates;
  // Where the recorded data set is now (LoadOptions), and the data once read.
  std::string dataset_override, data_dir_override;
  mutable std::mutex data_mutex;
  mutable std::unique_ptr<TrainingData> training_data;
  // The state of a loaded checkpoint's weights, until a Fit moves them.
  std::optional<WeightsState> loaded_weights;
  // The backend's thread pool runs one job at a time (core/thread_pool.h), so
  // the const calls that use the backend take turns: they may be called
  // concurrently, as model.h promises.
  mutable std::mutex backend_mutex;
  // What checkpoints record about the data and the run (the run policy fills
  // in the rest; an in-memory model leaves the data facts empty).
  ExperimentConfig experiment;
  std::string data_path;
  int64_t interactions = 0;
  uint32_t fingerprint = 0;
  // The weights the last Fit left are its early stopping's best epoch's (its
  // trackers): Save records that, so the checkpoint names the right epochs.
  struct RestoredBest {
    EarlyStoppingConfig config;
    TrackerState ranking, rating;
  };
  std::optional<RestoredBest> restored_best;
  // The last Fit gave each head its own epoch count (FitOptions::rating_epochs):
  // the epochs (history numbering) whose heads the model has.
  struct SplitHeads {
    int ranking_epoch = 0, rating_epoch = 0;
  };
  std::optional<SplitHeads> split_heads;
};

struct ModelInternals {
  static Model::Impl& Of(Model& model) { return *model.impl_; }
  static const Model::Impl& Of(const Model& model) { return *model.impl_; }

  // A model of `config`'s shape on its backend, parameters zero, ready to
  // train; with `comm`, by its ranks together (it must outlive the model).
  static Result<Model> Make(const ModelOptions& options, const IdMap& users, const IdMap& items,
                            Communicator* comm = nullptr);

  // Copies the model's state into `checkpoint`: configuration, data facts, ids,
  // weights, optimizer, stream, progress and history.
  static void Capture(const Model& model, TrainingCheckpoint* checkpoint);
  // A model continuing the run in `checkpoint` with `options` (the
  // checkpoint's shape and training, perhaps a smaller batch buffer and other
  // threads); errors name `source`.
  static Result<Model> FromCheckpoint(const TrainingCheckpoint& checkpoint,
                                      const std::string& source, const ModelOptions& options,
                                      Communicator* comm = nullptr);
};

}  // namespace mtrec

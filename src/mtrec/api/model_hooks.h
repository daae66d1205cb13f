// The narrow hooks through which the run policy (run/experiment.h) drives a
// Model beyond its public API: a model trained by several ranks together,
// checkpoints that carry the run's facts, and the backend the policy
// initialises, evaluates and copies the best epoch's weights from. Not part
// of the public API: only the run policy and the tests use them, and they
// never see the model's inside (Model::Impl stays in api/model.cc).
#pragma once

#include <cstdint>
#include <string>

#include "mtrec/config.h"
#include "mtrec/id_map.h"
#include "mtrec/model.h"
#include "mtrec/status.h"

namespace mtrec {

class Backend;
class Communicator;
class EarlyStopping;
struct TrainingCheckpoint;

class ModelHooks {
 public:
  // A model of `options`' shape with these ids, parameters zero, ready to
  // train; with `comm`, by its ranks together (it must outlive the model).
  static Result<Model> Make(const ModelOptions& options, const IdMap& users, const IdMap& items,
                            Communicator* comm);
  // A model continuing the run in `checkpoint` with `options` (the
  // checkpoint's shape and training, perhaps a smaller batch buffer and other
  // threads); errors name `source`.
  static Result<Model> FromCheckpoint(const TrainingCheckpoint& checkpoint,
                                      const std::string& source, const ModelOptions& options,
                                      Communicator* comm);
  // Copies the model's state into `checkpoint`: configuration, data facts,
  // ids, weights, optimizer, stream, progress and history (the run policy
  // adds its own: state, run folder, trackers).
  static void Capture(const Model& model, TrainingCheckpoint* checkpoint);
  // Records the data the model is trained on, as its checkpoints name it:
  // `recorded` is the configuration a checkpoint stores (run/experiment.cc).
  static void RecordData(Model& model, const ExperimentConfig& recorded,
                         const std::string& data_path, int64_t interactions,
                         uint32_t fingerprint);
  // Model::Fit with the run policy's early stopping, whose state (trackers,
  // the best epoch's weights) outlives the call, for checkpoints and resume;
  // options.early_stopping is its configuration (refit allowed).
  static Result<FitResult> Fit(Model& model, const Interactions& train, const FitOptions& options,
                               EarlyStopping& early);
  // The backend that holds the model's parameters.
  static Backend& BackendOf(Model& model);
  static const Backend& BackendOf(const Model& model);
  // Optimizer steps taken so far.
  static int64_t Steps(const Model& model);
  // The ranks that train the model together (1: this process alone).
  static int Ranks(const Model& model);
};

}  // namespace mtrec

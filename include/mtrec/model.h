// Model: a multitask recommender (BPR matrix factorisation + an MLP rating
// head) that is created from a configuration, trained on in-memory data, then
// queried, saved and loaded. Part of the public API.
//
//   mtrec::Result<mtrec::Dataset> data = mtrec::DatasetFromArrays(users, items, ratings);
//   mtrec::Result<mtrec::TrainTestSplit> split =
//       mtrec::SplitInteractions(data->interactions, 0.05);
//   mtrec::Result<mtrec::Model> model = mtrec::Model::Create(mtrec::ModelOptions{}, *data);
//   mtrec::FitOptions fit;
//   fit.epochs = 20;
//   fit.test = &split->test;
//   fit.on_epoch = [](const mtrec::EpochStats& s) { return s.eval.mrr < 0.2; };  // false: stop
//   mtrec::Result<mtrec::FitResult> done = model->Fit(split->train, fit);
//   auto top = model->Recommend(*data->users.Find("196"), 10);
//   mtrec::Status saved = model->Save("model.mtrec");
//
// Ids: every call takes and returns table rows (UserId, ItemId); users() and
// items() translate to and from the data's own ids.
//
// Thread-safety: const methods may run concurrently (those that use the
// model's threads take turns); Fit, Save's caller and the setters must run
// alone. The model's work runs on its own threads (ModelOptions::threads) and
// results do not depend on their number.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/dataset.h"
#include "mtrec/id_map.h"
#include "mtrec/interactions.h"
#include "mtrec/metrics.h"
#include "mtrec/status.h"

namespace mtrec {

// What a model is built from.
struct ModelOptions {
  ModelConfig model;  // num_users/num_items: left 0, taken from the data
  TrainConfig train;  // objective, optimizer, batch size, seed (initialisation and stream)
  int threads = 0;    // 0: every hardware thread
  std::string backend = "cpu";
};

// How one Fit call trains.
struct FitOptions {
  int epochs = 1;  // epochs to run in this call
  // > 0 (separate tables only): the rating head's epochs, `epochs` being the
  // ranking head's. The call trains max(epochs, rating_epochs) epochs and ends
  // with each head's parameters after its own count (separate tables share
  // nothing, so each head is the one a call of its length gives): a refit of
  // per-head early stopping's choice is a fresh model's Fit on the training
  // and validation rows with epochs = best_epoch, rating_epochs =
  // best_rating_epoch. Not with early stopping. Stopped before the end (stop,
  // max_steps, on_epoch), the heads are left as they are; the per-epoch test
  // figures are of the model before the earlier head is written back. Save
  // records the split as `mtrec train --refit` does (state "refitted").
  int rating_epochs = 0;
  // Evaluated after every epoch when given (the original evaluates on its test
  // split every epoch); rows must fit the model's tables. The test ranking puts
  // the user's items of both `train` and `validation` last (both are rows of the
  // training split), the validation ranking those of `train`.
  const Interactions* test = nullptr;
  const Interactions* validation = nullptr;
  // After every epoch's evaluation; returning false stops training after it.
  std::function<bool(const EpochStats&)> on_epoch;
  // After every optimizer step; must be cheap.
  std::function<void(const StepProgress&)> on_step;
  // Set (e.g. from a signal handler) to stop after the step in progress.
  const std::atomic<bool>* stop = nullptr;
  // Stop once the model has taken this many optimizer steps in all (0: no limit).
  int64_t max_steps = 0;
  // Early stopping on `validation` (which it needs), within this call: stops
  // once the metric has not improved for `patience` epochs (per_head: neither
  // head's), and the call ends with the best epoch's weights (per_head: the
  // ranking head's of the best-MRR epoch, the rating head's of the best-MSE
  // epoch), unless interrupted by `stop` or `max_steps` (a stop by on_epoch
  // restores too). A later Fit trains on from the restored weights, with the
  // stream, optimizer state and epoch numbers of the last epoch; Save records
  // the restore as `mtrec train --early_stopping` does. Off by default (kNone).
  EarlyStoppingConfig early_stopping;
};

struct FitResult {
  int epochs = 0;            // epochs completed in this call
  bool interrupted = false;  // stopped by `stop` or `max_steps`, mid-epoch or between epochs
  bool stopped_by_callback = false;
  bool stopped_early = false;  // by early stopping's patience
  // With early stopping: the epoch (history numbering) whose weights the model
  // now has, per_head the ranking head's; 0 when none were restored.
  int best_epoch = 0;
  int best_rating_epoch = 0;  // per_head: the rating head's epoch
};

// A named parameter tensor, row-major, a copy of the model's.
struct NamedTensor {
  std::string name;  // as in PyTorch's state_dict: U, Q, B, mlp_layers.0.weight, ...
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;
};

class Model {
 public:
  // A new model with `data`'s table sizes and ids, initialised from
  // options.train.seed. InvalidArgument names the field of a bad configuration;
  // tables that do not fit in memory are Unavailable (here and in Load, Fit).
  static Result<Model> Create(const ModelOptions& options, const Dataset& data);
  // A model saved by Save (or `mtrec train --save`): weights, ids, and the
  // state to continue training with Fit. NotFound / Corruption name the file.
  static Result<Model> Load(const std::filesystem::path& path, int threads = 0);

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  // Trains on `train` for options.epochs epochs, continuing where the last Fit
  // (or the loaded checkpoint) stopped: the same stream, so two Fit calls of N
  // epochs give the model one call of 2N would. A diverged loss is
  // InvalidArgument; rows outside the tables are InvalidArgument naming them.
  Result<FitResult> Fit(const Interactions& train, const FitOptions& options);
  // Every epoch trained so far, loaded ones included.
  const std::vector<EpochStats>& history() const;

  // The original's MRR/MSE plus RMSE, MAE and top-k metrics on `test`; ranks
  // exclude `train`'s items. InvalidArgument for k < 1 or rows outside the tables.
  Result<ModelEvaluation> Evaluate(const Interactions& test, const Interactions& train,
                                   int k = kDefaultTopK) const {
    return Evaluate(test, {&train}, k);
  }
  // The same, excluding the items of every part of `known` (null parts
  // skipped; InvalidArgument without a non-null one): {&train, &validation}
  // after a Fit with validation rows, whose items the user has too (the
  // per-epoch test figures of such a Fit are these).
  Result<ModelEvaluation> Evaluate(const Interactions& test,
                                   std::initializer_list<const Interactions*> known,
                                   int k = kDefaultTopK) const;
  // The factorisation (ranking) score of a pair.
  Result<float> Score(UserId user, ItemId item) const;
  // The regression head's rating and the ranking score of a pair.
  Result<Recommendation> Predict(UserId user, ItemId item) const;
  // The k items of highest score for `user`, best first, among the items that
  // occur in the training data (Fit's, with its validation rows, or
  // SetKnownInteractions'), minus the
  // user's own items there unless include_seen.
  Result<std::vector<Recommendation>> Recommend(UserId user, int k,
                                                bool include_seen = false) const;
  // Recommendations for a user the model has not seen, from their ratings
  // (fold-in: an embedding fitted against the frozen model); rated items excluded.
  Result<std::vector<Recommendation>> RecommendForRatings(std::span<const RatedItem> ratings, int k,
                                                          const FoldInConfig& config = {}) const;
  // Which items Recommend offers and which it excludes per user (Fit sets it
  // from its training data; a loaded model needs it before Recommend).
  // InvalidArgument, and nothing changed, when `data` does not fit the tables.
  Status SetKnownInteractions(const Interactions& data);

  // Raw ids <-> rows.
  const IdMap& users() const;
  const IdMap& items() const;
  int32_t num_users() const;
  int32_t num_items() const;
  const ModelOptions& options() const;

  // Copies of the weights, in state_dict order.
  std::vector<NamedTensor> Parameters() const;
  // Replaces the weights (same names and shapes as Parameters()).
  Status SetParameters(const std::vector<NamedTensor>& tensors);

  // Writes the checkpoint (format "mtrec.checkpoint", readable by the CLI):
  // weights, ids, optimizer state, training stream and history. Written to a
  // new temporary file (an unpredictable name, never through a link) and
  // renamed. `path` may be absent, or a regular file if `overwrite` (else
  // InvalidArgument "... already exists"); a symbolic link, a folder, a FIFO
  // or a device there is never replaced (InvalidArgument).
  Status Save(const std::filesystem::path& path, bool overwrite = true) const;

 private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  // The bodies of Create, Load and Fit, which turn an allocation failure into
  // a Status.
  static Result<Model> CreateModel(const ModelOptions& options, const Dataset& data);
  static Result<Model> LoadModel(const std::filesystem::path& path, int threads);
  Result<FitResult> FitModel(const Interactions& train, const FitOptions& options);
  std::unique_ptr<Impl> impl_;
  friend struct ModelInternals;
};

}  // namespace mtrec

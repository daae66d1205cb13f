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
// items() translate to and from the data's own ids (FindUser/FindItem).
//
// Known interactions ("seen"): a recommendation offers only items that occur in
// the interactions the model knows, and excludes each user's own items there
// unless asked to include them. The model knows what it was created from
// (Create), what the last Fit was given (its training, validation and test
// rows), or what SetKnownInteractions set; a loaded model, until one of those,
// the whole data set recorded in its checkpoint, read on first need (the CLI's
// `mtrec recommend --model` does exactly this). Evaluation is separate: it ranks
// each test item against every item the user has not interacted with in the
// known non-test rows given to Evaluate.
//
// Thread-safety: const methods may run concurrently; Fit, Save's caller and
// the setters must run alone. The model's work runs on its own threads
// (ModelOptions::threads) and results do not depend on their number. The
// calls that use those threads (Evaluate, RecommendForRatings; Recommend and
// Predict on other backends) take turns. Score and SimilarItems run on the
// calling thread, and so do Recommend and Predict on the CPU backend: calls
// from several threads run at once, up to the machine's hardware threads at a
// time (more wait for a turn), each with scratch the model keeps between calls
// (num_items floats each), so that a warm call allocates nothing but its
// answer. Their answers are bit-identical either way.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/dataset.h"
#include "mtrec/id_map.h"
#include "mtrec/interactions.h"
#include "mtrec/item_index.h"
#include "mtrec/metrics.h"
#include "mtrec/status.h"

namespace mtrec {

class EarlyStopping;
class RecommendationCandidates;

// What a model is built from.
struct ModelOptions {
  ModelConfig model;  // num_users/num_items: left 0, taken from the data
  TrainConfig train;  // objective, optimizer, batch size, seed (initialisation and stream)
  int threads = 0;    // 0: every hardware thread
  std::string backend = "cpu";
  // Data parallel (several ranks): the tables and their optimizer state split
  // row-wise across the ranks (ExperimentConfig::shard_tables).
  bool shard_tables = false;
};

// How Load builds a model from a checkpoint.
struct LoadOptions {
  int threads = 0;              // 0: every hardware thread
  std::string backend = "cpu";  // a registered backend ("cpu", "cuda", ...)
  // Where the data set recorded in the checkpoint is now, if it moved (empty:
  // the recorded location). Read only when needed (training_data(), or a
  // recommendation before any known interactions are set); the data found must
  // be the data trained on.
  std::string dataset;
  std::string data_dir;
};

// The data a loaded model was trained on, as its checkpoint records it: the
// data set and the split the run used (the original's test split and, if the
// run held some out, the validation rows carved from the training rows).
struct TrainingData {
  Dataset dataset;
  Interactions train;       // the rows the model was fitted on
  Interactions validation;  // empty unless the run held some out
  Interactions test;
};

// Which training state a model's weights are in: the epoch whose metrics they
// match, or how far past it they are.
struct WeightsState {
  int epoch = 0;                // the last whole epoch in the weights (the best one, if restored)
  int epochs_trained = 0;       // epochs the run trained (more than `epoch` after a restore)
  int64_t extra_batches = 0;    // > 0: saved mid-epoch, this many batches into epoch + 1
  bool best_restored = false;   // early stopping ended the run with the best epoch's weights
  bool refitted = false;        // a refit (FitOptions::rating_epochs, mtrec train --refit)
  bool per_head = false;        // each head's weights are of its own epoch
  int rating_epoch = 0;         // > 0: the rating head's epoch, when the heads differ
};

// What a fold-in did (RecommendForRatings).
struct FoldInStats {
  double first_loss = 0;  // the fold-in objective at its first and last step
  double last_loss = 0;
  int64_t candidates = 0;  // the items the list was chosen from
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
  static Result<Model> Load(const std::filesystem::path& path, const LoadOptions& options);

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
  // The same, excluding the items of every part of `known` (null and empty parts
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
  // The k items of highest score for `user`, best first (ties to the lower
  // row), among the items of the known interactions (see the top of this
  // file), minus the user's own items there unless include_seen. A loaded
  // model whose recorded data set cannot be read, and that was given no
  // known interactions, is NotFound saying so.
  // `candidates`, if given, is set to the number of items the list was chosen from.
  // Exact (every item scored) unless an index is built (BuildIndex): then the
  // index finds the items, approximately, under the same rules and with the
  // exact scores (mtrec/item_index.h). On the CPU backend, from 4,096 items,
  // the exact pass scores every item through int8 bounds and exactly only the
  // items the bounds cannot rule out: the same answer, bit for bit, for a
  // copy of the item table of num_items * (ranking_dim + 8) bytes, made by
  // the first call after the weights change.
  Result<std::vector<Recommendation>> Recommend(UserId user, int k, bool include_seen = false,
                                                int64_t* candidates = nullptr) const;
  // Builds the approximate item index Recommend then answers from, replacing
  // any earlier one (mtrec/item_index.h: HNSW maximum inner product, a
  // deterministic single-threaded build). It is of the current weights: Fit
  // and SetParameters drop it. InvalidArgument names a bad option,
  // Unavailable when it does not fit in memory. Runs alone, as the setters.
  Status BuildIndex(const IndexOptions& options = {});
  // Drops the index: Recommend is exact again.
  void DropIndex();
  // The built index (nullopt: none, Recommend is exact).
  std::optional<IndexInfo> index_info() const;
  // Recommendations for a user the model has not seen, from their ratings
  // (fold-in: an embedding fitted against the frozen model by training's own
  // gradient; see FoldInConfig), among the items of the known interactions,
  // the rated items excluded. Each rating must lie within the known
  // interactions' ratings (InvalidArgument naming the item otherwise: a rating
  // the model never saw would fit the user to values it cannot reproduce).
  Result<std::vector<Recommendation>> RecommendForRatings(std::span<const RatedItem> ratings, int k,
                                                          const FoldInConfig& config = {},
                                                          FoldInStats* stats = nullptr) const;
  // The k items most like `item` by the cosine of their rows in the ranking
  // head's item embedding, best first (ties to the lower row, as Recommend),
  // among the items of the known interactions, `item` itself excluded.
  // InvalidArgument for k < 1 or a row outside the table; known interactions
  // as Recommend (NotFound without them).
  Result<std::vector<SimilarItem>> SimilarItems(ItemId item, int k) const;
  // The user's items in the known interactions (see the top of this file),
  // each once, ascending: what Recommend excludes for them. Empty for a user
  // with none. InvalidArgument for a row outside the table; known
  // interactions as Recommend (NotFound without them).
  Result<std::vector<ItemId>> KnownItems(UserId user) const;
  // The lowest and highest rating of the known interactions: the ratings
  // RecommendForRatings accepts. Known interactions as Recommend.
  Result<RatingRange> KnownRatings() const;
  // Sets the known interactions (see the top of this file). InvalidArgument,
  // and nothing changed, when `data` does not fit the tables.
  Status SetKnownInteractions(const Interactions& data);

  // The data set and split recorded in a loaded model's checkpoint (or the
  // data a model was created from, found again by its path), read on first
  // call and kept. NotFound when it cannot be read or is not the data the
  // model was trained on (same rows, checked by a fingerprint); a model made
  // from in-memory data records none.
  Result<const TrainingData*> training_data() const;
  // Which training state the weights are in.
  WeightsState weights_state() const;

  // Raw ids <-> rows: the one check of an id every front end makes.
  // FindUser/FindItem: NotFound "user 'x' is not in the model (N rows)" for an
  // id the model has no row for; with raw ids (rows numbered by the ids
  // themselves), also for a row no known interaction has (MovieLens's
  // phantom row 0), when the known interactions are at hand (read from the
  // recorded data set if needed).
  Result<UserId> FindUser(std::string_view raw) const;
  Result<ItemId> FindItem(std::string_view raw) const;
  const IdMap& users() const;
  const IdMap& items() const;
  int32_t num_users() const;
  int32_t num_items() const;
  const ModelOptions& options() const;

  // Copies of the weights, in state_dict order. (A model whose tables are
  // sharded across several ranks, which only `mtrec train --shard_tables`
  // makes, holds no whole weights: its calls that read whole tables return
  // Unavailable, and this one is not called on it.)
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
  static Result<Model> LoadModel(const std::filesystem::path& path, const LoadOptions& options);
  // `early`: the run policy's early stopping (ModelHooks::Fit), else Fit's own.
  Result<FitResult> FitModel(const Interactions& train, const FitOptions& options,
                             EarlyStopping* early);
  // Fit's first step: the known interactions, the state a Fit moves on from,
  // the rating head's offset on a fresh model.
  void PrepareFit(const Interactions& train, const FitOptions& options);
  // The known interactions' candidates, built from the recorded data set on
  // first need.
  Result<const RecommendationCandidates*> KnownCandidates() const;
  // FindUser/FindItem's check of a raw-id row against the known interactions.
  Status CheckRowOccurs(bool user, int32_t row, std::string_view raw) const;
  std::unique_ptr<Impl> impl_;
  friend class ModelHooks;  // the run policy's narrow hooks (src/mtrec/api/model_hooks.h)
};

}  // namespace mtrec
